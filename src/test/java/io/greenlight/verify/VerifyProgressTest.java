package io.greenlight.verify;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How GET /verify/{id} states the size of a verification, its rate and the time left. */
class VerifyProgressTest {

    @Test
    void totalIsUnknownWhileATableHasNeitherEstimateNorCountThenUsesTheExactCountOverTheEstimate() {
        VerifyProgress p = new VerifyProgress();
        p.tables(List.of("public.a", "public.b"));
        p.estimated("public.a", 1000);
        assertEquals(OptionalLong.empty(), p.rowsTotal());
        assertEquals(OptionalLong.empty(), p.etaSeconds());
        p.estimated("public.b", 10);
        assertEquals(OptionalLong.of(1010), p.rowsTotal());
        p.counted("public.b", 250); // the catalog's estimate was stale
        p.estimated("public.b", 10); // a late estimate never replaces a count
        assertEquals(OptionalLong.of(1250), p.rowsTotal());
        assertEquals(VerifyProgress.TableState.PENDING, p.perTable().get(1).state());
        assertTrue(p.perTable().get(1).counted());
    }

    @Test
    void etaIsTheRowsLeftAtThisAttemptsRateAndZeroOnceFinished() throws Exception {
        VerifyProgress p = new VerifyProgress();
        p.tables(List.of("public.done_before", "public.a"));
        p.carriedOver("public.done_before", 1_000_000); // an earlier attempt's rows do not inflate this rate
        p.counted("public.a", 2000);
        p.comparing("public.a");
        Thread.sleep(200);
        p.rowsCompared("public.a", 1000);
        long rate = p.rowsPerSecond();
        assertTrue(rate > 0 && rate <= 5000, "rate " + rate);
        long eta = p.etaSeconds().orElseThrow();
        // 1000 rows left at the rate that compared 1000: about the time elapsed so far.
        assertTrue(eta >= 0 && eta <= Math.round(p.elapsedSeconds()) + 1, "eta " + eta + " after " + p.elapsedSeconds());
        assertEquals(1_001_000, p.rowsCompared());
        assertEquals(OptionalLong.of(1_002_000), p.rowsTotal());
        p.rowsCompared("public.a", 1500); // more rows than counted (inserted meanwhile): the total grows, never below compared
        assertEquals(OptionalLong.of(1_002_500), p.rowsTotal());
        p.tableDone("public.a");
        p.finished();
        assertEquals(OptionalLong.of(0), p.etaSeconds());
        assertEquals(2, p.tablesDone());
    }
}
