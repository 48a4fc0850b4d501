package io.greenlight.cutover;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cutover record's pure rules: fence bookkeeping, switch runs, which copy wins, the budget. */
class CutoverRecordTest {

    private final CutoverRecord armed = CutoverRecord.armed("c1", CutoverOptions.none().withDefaults(2));

    @Test
    void theFenceCountsAsUpFromBeforeItIsRaisedUntilItsUndoRan() {
        CutoverRecord fenced = armed.to(CutoverState.WAITING_FOR_LAG, "").to(CutoverState.FENCING, "lag stable").fenced(List.of("ALTER DATABASE \"db\" RESET default_transaction_read_only"));
        assertTrue(fenced.fenceUp());
        CutoverRecord failed = fenced.to(CutoverState.FAILED, "boom");
        assertTrue(failed.fenceUp(), "a transition alone does not lift the fence");
        CutoverRecord lifted = failed.lifted();
        assertFalse(lifted.fenceUp());
        assertTrue(lifted.writeBlockedSeconds() >= 0, "the blocked window is measured when the fence lifts");
    }

    @Test
    void aSwitchActionThatStartedOrTookEffectMustBeRevertedBeforeTheFenceLifts() {
        SwitchRun patch = new SwitchRun(SwitchRun.KUBERNETES, Map.of("app", "postgres"), SwitchRun.State.STARTED, "patching");
        SwitchRun hook = new SwitchRun(SwitchRun.WEBHOOK, null, SwitchRun.State.STARTED, "POST");
        CutoverRecord switching = armed.withRun(patch).withRun(patch.to(SwitchRun.State.DONE, "patched")).withRun(hook);
        assertEquals(2, switching.switchRuns().size(), "one entry per action, updated in place");
        assertEquals(List.of(SwitchRun.KUBERNETES, SwitchRun.WEBHOOK), switching.unreverted().stream().map(SwitchRun::action).toList(),
                "a webhook whose answer never came may have acted");
        CutoverRecord answered500 = switching.withRun(hook.to(SwitchRun.State.FAILED, "500"));
        assertEquals(List.of(SwitchRun.KUBERNETES), answered500.unreverted().stream().map(SwitchRun::action).toList());
        CutoverRecord reverted = answered500.withRun(patch.to(SwitchRun.State.REVERTED, "set back"));
        assertTrue(reverted.unreverted().isEmpty());
    }

    @Test
    void theCopyThatGotFurtherWinsAndTheSourcesOnATie() {
        CutoverRecord onTarget = armed.to(CutoverState.WAITING_FOR_LAG, "");
        CutoverRecord onSource = onTarget.to(CutoverState.FENCING, "").to(CutoverState.FAILED, "restarted");
        assertSame(onSource, CutoverService.further(onTarget, onSource));
        assertSame(onSource, CutoverService.further(onSource, onTarget));
        CutoverRecord sameLength = onTarget.to(CutoverState.ABORTED, "");
        assertSame(sameLength, CutoverService.further(onTarget.to(CutoverState.FENCING, ""), sameLength));
    }

    @Test
    void theManualRevertOfAServicePatchIsAKubectlCommandThatRestoresTheSelector() {
        CutoverOptions.Actions actions = new CutoverOptions.Actions(null,
                new CutoverOptions.KubernetesService("shop", "app-db", Map.of("app", "mysql")));
        String command = SwitchActions.manualRevert(new SwitchRun(SwitchRun.KUBERNETES, Map.of("app", "postgres"),
                SwitchRun.State.DONE, ""), actions);
        assertEquals("kubectl -n shop patch service app-db --type=json -p "
                + "'[{\"op\":\"replace\",\"path\":\"/spec/selector\",\"value\":{\"app\":\"postgres\"}}]'", command);
    }

    @Test
    void aSpentBudgetNamesTheStateAndTheStepThatWasWaiting() {
        WriteBlockBudget spent = WriteBlockBudget.startingNow(0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> spent.check(CutoverState.VERIFYING, "verifying 2 table(s)"));
        assertEquals("maxWriteBlockedSeconds (0.0 s) ran out in VERIFYING while verifying 2 table(s): writes may not stay "
                + "blocked longer; nothing was switched", e.getMessage());
        assertEquals(0, spent.remainingNanos());
        WriteBlockBudget fresh = WriteBlockBudget.startingNow(30);
        fresh.check(CutoverState.DRAINING, "draining");
        assertTrue(fresh.remainingNanos() > 0);
    }
}
