package io.greenlight.cutover;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The body of POST /cutover: defaults, what is refused, what GET /cutover shows. */
class CutoverOptionsTest {

    @Test
    void anEmptyBodyFencesReadOnlyWithTheDefaultBudget() {
        CutoverOptions options = CutoverOptions.none().withDefaults(2);
        assertEquals(CutoverOptions.FenceMode.READ_ONLY, options.fence().mode());
        assertEquals(30.0, options.maxWriteBlockedSeconds());
        assertEquals(30.0, options.postponeTimeoutSeconds(), "the budget bounds the postpone too");
        assertFalse(options.dryRun());
        assertTrue(CutoverOptions.none().problems().isEmpty());
    }

    @Test
    void noFenceNeedsAnExplicitAcknowledgement() {
        CutoverOptions unacknowledged = withFence(new CutoverOptions.Fence(CutoverOptions.FenceMode.NONE, null, null));
        assertEquals(1, unacknowledged.problems().size());
        assertTrue(unacknowledged.problems().get(0).contains("\"acknowledgeUnfencedWrites\": true"));
        CutoverOptions acknowledged = withFence(new CutoverOptions.Fence(CutoverOptions.FenceMode.NONE, null, true));
        assertTrue(acknowledged.problems().isEmpty());
        assertTrue(acknowledged.withDefaults(2).fence().acknowledgeUnfencedWrites(), "recorded and shown");
    }

    @Test
    void aPostponeLimitLongerThanTheBudgetIsCutToTheBudget() {
        CutoverOptions options = new CutoverOptions(null, null, null, null, null, true, 3600.0, null, 20.0, null, null);
        assertEquals(20.0, options.withDefaults(2).postponeTimeoutSeconds());
    }

    @Test
    void aBudgetOutOfRangeIsRefused() {
        CutoverOptions options = new CutoverOptions(null, null, null, null, null, null, null, null, 0.1, null, null);
        assertTrue(options.problems().get(0).startsWith("maxWriteBlockedSeconds is 0.1"));
    }

    @Test
    void theWebhookUrlIsShownWithoutUserInfoOrQueryString() {
        assertEquals("https://***@hooks.example:8443/deploy/switched?***",
                CutoverOptions.redact("https://ops:s3cret@hooks.example:8443/deploy/switched?token=abc&x=1"));
        assertEquals("http://hooks.example/switched", CutoverOptions.redact("http://hooks.example/switched"));
        CutoverOptions options = new CutoverOptions(null, null, null, null, null, null, null,
                new CutoverOptions.Actions(new CutoverOptions.Webhook("https://u:p@h.example/x?sig=1"), null), null, null, null);
        assertEquals("https://***@h.example/x?***", options.redacted().actions().webhook().url());
        assertEquals("https://u:p@h.example/x?sig=1", options.actions().webhook().url(), "the record keeps the URL to call");
    }

    private static CutoverOptions withFence(CutoverOptions.Fence fence) {
        return new CutoverOptions(null, null, null, fence, null, null, null, null, null, null, null);
    }
}
