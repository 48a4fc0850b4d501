package io.greenlight.backfill;

import io.github.bucket4j.BlockingBucket;
import io.github.bucket4j.Bucket;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.lag.PipelineMeters;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;

/**
 * Paces the backfill so that the copy never hurts the application: a cap on the rows per second
 * read from the source over all chunks ({@code greenlight.backfill.max-rows-per-second}, a token
 * bucket), and in adaptive mode a wait while the source is strained, that is while a commit there
 * takes longer than {@code max-commit-latency} or a standby replays more than
 * {@code max-replica-lag} behind, as online schema-change tools back off. Copiers call
 * {@link #acquire} before each batch of rows they read.
 */
public final class CopyThrottle implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CopyThrottle.class);

    /** What /status shows: the cap, the mode, whether the copy waits now and why, and how long it waited in all. */
    public record View(long maxRowsPerSecond, String mode, boolean waiting, String reason, double waitedSeconds,
                       String warning) {
    }

    private final GreenlightConfig.Backfill.Throttle config;
    private final long maxRowsPerSecond;
    private final BlockingBucket bucket;
    private final long burst;
    private final SourceLoad load;
    private final PipelineMeters meters;
    private final Object waitLock = new Object();
    private volatile String reason;
    /** Copiers waiting now; the copy's waited time counts while at least one waits. Guarded by waitLock. */
    private int waiters;
    private long waitStartedNanos;
    private volatile double waitedSeconds;

    /** {@code load}: measures the source; null when the mode is OFF. */
    CopyThrottle(long maxRowsPerSecond, GreenlightConfig.Backfill.Throttle config, SourceLoad load, PipelineMeters meters) {
        this.config = config;
        this.maxRowsPerSecond = maxRowsPerSecond;
        this.burst = Math.max(1, maxRowsPerSecond / 10);
        this.bucket = maxRowsPerSecond <= 0 ? null : Bucket.builder() // bursts of at most a tenth of a second's worth
                .addLimit(limit -> limit.capacity(burst).refillGreedy(maxRowsPerSecond, Duration.ofSeconds(1)))
                .build().asBlocking();
        this.load = config.mode() == GreenlightConfig.Backfill.Throttle.Mode.ADAPTIVE ? load : null;
        this.meters = meters;
    }

    /** Returns once {@code rows} more rows may be read: the source is not strained and the cap allows them. */
    void acquire(long rows) throws InterruptedException {
        if (load != null) {
            load.start();
            awaitUnstrained();
        }
        if (bucket != null) {
            for (long left = rows; left > 0; ) {
                long now = Math.min(left, burst); // a bucket never holds more than its capacity
                bucket.consume(now);
                left -= now;
            }
        }
    }

    private void awaitUnstrained() throws InterruptedException {
        String strained = strained();
        if (strained == null) {
            return;
        }
        synchronized (waitLock) {
            if (waiters++ == 0) {
                waitStartedNanos = System.nanoTime();
                LOG.infof("The backfill waits: %s", strained);
                meters.backfillWaiting(true);
            }
            reason = strained;
        }
        try {
            while ((strained = strained()) != null) {
                reason = strained;
                Thread.sleep(Math.max(10, config.checkInterval().toMillis() / 4));
            }
        } finally {
            synchronized (waitLock) {
                if (--waiters == 0) {
                    double waited = (System.nanoTime() - waitStartedNanos) / 1e9;
                    waitedSeconds += waited;
                    reason = null;
                    meters.backfillWaiting(false);
                    meters.backfillWaited(waited);
                    LOG.infof("The backfill goes on after waiting %.1f s: the source is no longer strained", waited);
                }
            }
        }
    }

    /** Why the copy must wait now, or null. */
    private String strained() {
        SourceLoad.Reading now = load.reading();
        if (now.commitLatency().compareTo(config.maxCommitLatency()) > 0) {
            return "a commit on the source takes " + now.commitLatency().toMillis() + " ms, above "
                    + "greenlight.backfill.throttle.max-commit-latency (" + config.maxCommitLatency().toMillis() + " ms)";
        }
        if (now.replicaLag().compareTo(config.maxReplicaLag()) > 0) {
            return "a standby of the source replays " + now.replicaLag().toMillis() / 1000.0 + " s behind, above "
                    + "greenlight.backfill.throttle.max-replica-lag (" + config.maxReplicaLag().toMillis() / 1000.0 + " s)";
        }
        return null;
    }

    View view() {
        String warning = null;
        if (load != null) {
            SourceLoad.Reading now = load.reading();
            warning = Optional.ofNullable(now.error()).orElse(now.replicaLagVisible() ? null
                    : "cannot read pg_stat_replication: GRANT pg_monitor to Greenlight's source role to back off on standby lag");
        }
        return new View(maxRowsPerSecond, config.mode().name(), reason != null, reason, waitedSeconds, warning);
    }

    @Override
    public void close() {
        if (load != null) {
            load.close();
        }
    }
}
