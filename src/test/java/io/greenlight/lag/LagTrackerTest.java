package io.greenlight.lag;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What cdc_lag_seconds says in each situation the design names (lag = now − applied frontier). */
class LagTrackerTest {

    private static final TopicPartition ORDERS = new TopicPartition("shop.public.orders", 0);
    private static final TopicPartition BEATS = new TopicPartition("shop.greenlight.heartbeat", 0);

    private final LagTracker lag = new LagTracker();
    private final long now = System.currentTimeMillis();

    @Test
    void beforeAnythingIsKnownLagCountsFromTheStartNeverZeroForNoNews() {
        lag.reset(Map.of(ORDERS, 0L));
        assertTrue(lag.appliedFrontierMs().isEmpty());
        assertTrue(lag.endToEndSeconds() >= 0);
    }

    @Test
    void everythingPublishedAppliedMeansLagIsTheAgeOfTheNewestPublishedCommit() {
        lag.reset(Map.of(ORDERS, 0L, BEATS, 0L));
        lag.published(now - 1_000, Map.of(ORDERS, 4L, BEATS, 9L), Map.of(ORDERS, now - 5_000, BEATS, now - 9_000));
        lag.applied(ORDERS, 5, now - 5_000);
        lag.applied(BEATS, 10, now - 1_000);
        assertEquals(now - 1_000, lag.appliedFrontierMs().getAsLong());
        assertEquals(1.0, lag.endToEndSeconds(), 0.5);
    }

    @Test
    void aPartitionBehindHoldsTheFrontierAtItsLastAppliedChange() {
        lag.reset(Map.of(ORDERS, 0L, BEATS, 0L));
        lag.applied(ORDERS, 3, now - 60_000);
        lag.published(now - 1_000, Map.of(ORDERS, 9L, BEATS, 9L), Map.of(ORDERS, now - 50_000, BEATS, now - 9_000));
        lag.applied(BEATS, 10, now - 1_000);
        // The oldest unapplied change of orders was committed 50 s ago: everything before it is applied.
        assertEquals(50.0, lag.endToEndSeconds(), 0.5);
        assertEquals(49.0, lag.applySeconds(), 0.5);
    }

    @Test
    void aChangeApplyHoldsUncommittedCountsAsNotApplied() {
        lag.reset(Map.of(ORDERS, 0L));
        lag.applied(ORDERS, 5, now - 2_000);
        lag.published(now - 1_000, Map.of(ORDERS, 6L), Map.of());
        lag.pending(ORDERS, now - 1_500);
        assertEquals(now - 1_501, lag.appliedFrontierMs().getAsLong());
    }

    @Test
    void snapshotReadsCountAtTheSnapshotStartSoLagGrowsUntilTheSnapshotIsApplied() {
        lag.reset(Map.of(ORDERS, 0L));
        long started = now - 120_000;
        assertEquals(started, lag.commitTime(true, started));
        assertEquals(started, lag.commitTime(true, now - 1_000), "a row read two minutes into the snapshot");
        assertEquals(now - 500, lag.commitTime(false, now - 500), "streamed changes keep their commit time");
        lag.published(lag.commitTime(true, now - 100), Map.of(ORDERS, 99L), Map.of(ORDERS, started));
        lag.applied(ORDERS, 100, lag.commitTime(true, now - 100));
        assertEquals(120.0, lag.endToEndSeconds(), 0.5);
    }

    @Test
    void theMeasuredClockSkewIsTakenOffTheSourceTimes() {
        lag.reset(Map.of(ORDERS, 0L));
        lag.published(now - 1_000, Map.of(ORDERS, 0L), Map.of());
        lag.applied(ORDERS, 1, now - 1_000);
        lag.skewMs(-3_000); // the source clock is 3 s behind
        assertEquals(now + 2_000, lag.appliedFrontierMs().getAsLong());
        assertEquals(0.0, lag.endToEndSeconds(), 0.0, "never negative");
    }

    @Test
    void theDrainOfACutoverWaitsForEveryPartitionUpToTheMarker() {
        lag.reset(Map.of(ORDERS, 0L, BEATS, 0L));
        lag.published(now, Map.of(ORDERS, 4L, BEATS, 7L), Map.of());
        lag.markerPublished("m1");
        assertEquals(Map.of(ORDERS, 5L, BEATS, 8L), lag.drainTarget("m1").orElseThrow());
        assertTrue(lag.drainTarget("other").isEmpty());
        lag.applied(ORDERS, 5, now);
        assertTrue(lag.drainPending());
        lag.applied(BEATS, 8, now);
        assertTrue(!lag.drainPending());
    }
}
