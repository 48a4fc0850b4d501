package io.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the CLI shows: copy progress with rate and ETA, the write-blocked window, and in-place redraws on a terminal. */
class ProgressViewTest {

    private static JsonNode json(String text) throws Exception {
        return ApiClient.JSON.readTree(text);
    }

    @Test
    void aTableBeingCopiedShowsItsPercentRateAndEta() throws Exception {
        ProgressView view = new ProgressView();
        String table = "{\"table\":\"public.orders\",\"state\":\"COPYING\",\"rowsCopied\":%d,\"estimatedRows\":1000000,\"chunksDone\":%d,\"chunksTotal\":100}";
        view.copyLine(json(table.formatted(100_000, 10)), 0);
        String line = view.copyLine(json(table.formatted(150_000, 15)), Duration.ofSeconds(10).toNanos());
        // 50,000 rows in 10 s = 5,000 rows/s (the first rate is taken as is); 850,000 rows left: 170 s
        assertEquals("  copy public.orders                        15%  150,000 / ~1,000,000 rows  chunks 15/100  5,000 rows/s  ETA 2m50s", line);
        line = view.copyLine(json(table.formatted(160_000, 16)), Duration.ofSeconds(20).toNanos());
        // then smoothed: 0.7 * 5,000 + 0.3 * 1,000 = 3,800 rows/s; 840,000 rows left: 221 s
        assertTrue(line.endsWith("3,800 rows/s  ETA 3m41s"), line);
    }

    @Test
    void aStandbysStatusSaysItIsTheStandbyAndNamesTheLeaderRightUnderThePhase() throws Exception {
        String standby = "This instance (b) is a standby; the leader is a. It captures, applies and runs the cutover.";
        var lines = new ProgressView().lines(json("{\"phase\":\"STARTING\",\"lag\":{},\"standby\":\"" + standby + "\"}"), null, null, 0);
        assertEquals(standby, lines.get(1));
        assertEquals(1, new ProgressView().lines(json("{\"phase\":\"STREAMING\",\"lag\":{},\"standby\":null}"), null, null, 0).size());
    }

    @Test
    void aTableWithoutAnEstimateShowsItsRowsOnly() throws Exception {
        String line = new ProgressView().copyLine(json(
                "{\"table\":\"public.a\",\"state\":\"COPYING\",\"rowsCopied\":10,\"estimatedRows\":-1,\"chunksDone\":0,\"chunksTotal\":2}"), 0);
        assertTrue(line.contains("  0%  10 rows  chunks 0/2") && line.endsWith("ETA ?"), line);
    }

    @Test
    void aCopiedTableSaysDone() throws Exception {
        String line = new ProgressView().copyLine(json(
                "{\"table\":\"public.a\",\"state\":\"DONE\",\"rowsCopied\":10,\"estimatedRows\":0,\"chunksDone\":1,\"chunksTotal\":1}"), 0);
        assertTrue(line.endsWith("done") && line.contains("100%"), line);
    }

    @Test
    void theOutcomeOfACompletedCutoverNamesTheWriteBlockedWindow() throws Exception {
        assertEquals("Cutover COMPLETED: writes were blocked for 0.22 s (fenced 2026-12-03T10:00:00Z, switched 2026-12-03T10:00:00.220Z)",
                ProgressView.outcome(json("{\"state\":\"COMPLETED\",\"writeBlockedSeconds\":0.2201,"
                        + "\"fencedAt\":\"2026-12-03T10:00:00Z\",\"switchedAt\":\"2026-12-03T10:00:00.220Z\"}")));
    }

    @Test
    void onATerminalEachUpdateRedrawsThePreviousLinesInPlace() throws Exception {
        StringWriter out = new StringWriter();
        Session session = new Session(new ApiClient("http://localhost:1", Optional.empty()), new PrintWriter(out),
                new PrintWriter(new StringWriter()), true, false, Duration.ofSeconds(1));
        JsonNode status = json("{\"phase\":\"SNAPSHOT\",\"lag\":{},\"tables\":[{\"table\":\"public.a\",\"state\":\"SNAPSHOT\"}]}");
        session.show(status, null, null);
        int first = out.toString().length();
        session.show(status, json("{\"state\":\"ARMED\",\"transitions\":[{\"state\":\"ARMED\",\"at\":\"t\"}]}"), null);
        String second = out.toString().substring(first);
        assertTrue(second.startsWith("\033[2F\033[2Kphase SNAPSHOT"), "moves up over the 2 lines drawn before: " + second);
        assertTrue(second.contains("\033[2Kcutover ARMED"), second);
    }
}
