package io.greenlight.lag;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where capture and apply are, in source commit time, and how far behind that is.
 *
 * <p>Capture reports, after Kafka acknowledged a batch, the newest source commit time published
 * and the last offset written to each partition. Apply reports, after each target commit, the
 * next offset and the commit time of the last change applied per partition. The end-to-end
 * frontier is the newest source commit time T such that every change committed up to T is
 * applied: a partition applied past capture's last offset counts as caught up to capture's
 * frontier, any other partition only up to its own last applied change.
 *
 * <p>Source times are corrected by the measured clock skew, and lag is never negative. Before
 * anything is known, lag counts from the pipeline start: no news is never zero lag.
 */
@Startup // lag counts from the process start even if the pipeline never comes up
@ApplicationScoped
public class LagTracker {

    /** What capture had published when its last batch was acknowledged. */
    private record Published(long commitTsMs, Map<TopicPartition, Long> lastOffsets) {
    }

    /** What apply has committed for one partition. */
    private record Applied(long nextOffset, long commitTsMs) {
    }

    private volatile Published published = new Published(Long.MIN_VALUE, Map.of());
    private final Map<TopicPartition, Applied> applied = new ConcurrentHashMap<>();
    /** Commit time of the oldest change apply holds but has not committed yet, per partition. */
    private final Map<TopicPartition, Long> oldestPending = new ConcurrentHashMap<>();
    /** Commit time of the first change capture published to a partition apply had caught up with. */
    private final Map<TopicPartition, Long> oldestUnapplied = new ConcurrentHashMap<>();
    private volatile long startedAtMs = System.currentTimeMillis();
    /** Commit time every snapshot read counts with: the first one seen, i.e. when the snapshot began. */
    private long snapshotAtMs = Long.MIN_VALUE;
    private volatile long skewMs;
    private volatile String lastMarker;
    private volatile Map<TopicPartition, Long> markerDrainTarget = Map.of();

    /** Forget everything: the pipeline (re)starts. {@code endOffsets} are the partitions' current ends. */
    public synchronized void reset(Map<TopicPartition, Long> endOffsets) {
        Map<TopicPartition, Long> last = new HashMap<>();
        endOffsets.forEach((tp, end) -> last.put(tp, end - 1));
        published = new Published(Long.MIN_VALUE, Map.copyOf(last));
        applied.clear();
        oldestPending.clear();
        oldestUnapplied.clear();
        startedAtMs = System.currentTimeMillis();
        snapshotAtMs = Long.MIN_VALUE;
    }

    /**
     * The source commit time a change counts with. A snapshot read (Debezium's initial snapshot)
     * carries the time it was read, but it is as old as the snapshot: every read counts at the
     * snapshot's start, so lag keeps growing until the snapshot is applied and streaming caught up,
     * instead of reading about 0 while tables not yet snapshotted are still empty on the target.
     */
    public synchronized long commitTime(boolean snapshotRead, long tsMs) {
        if (!snapshotRead) {
            return tsMs;
        }
        if (snapshotAtMs == Long.MIN_VALUE || tsMs < snapshotAtMs) {
            snapshotAtMs = tsMs;
        }
        return snapshotAtMs;
    }

    /**
     * Capture's batch was acknowledged: the newest commit time in it, and per partition the last
     * offset written and the oldest commit time written.
     */
    public synchronized void published(long newestCommitTsMs, Map<TopicPartition, Long> lastOffsets,
                                       Map<TopicPartition, Long> oldestCommitTsMs) {
        oldestCommitTsMs.forEach((tp, oldest) -> {
            if (caughtUp(tp, published.lastOffsets.getOrDefault(tp, -1L))) {
                oldestUnapplied.put(tp, oldest);
            }
        });
        Map<TopicPartition, Long> merged = new HashMap<>(published.lastOffsets);
        lastOffsets.forEach((tp, offset) -> merged.merge(tp, offset, Math::max));
        published = new Published(Math.max(published.commitTsMs, newestCommitTsMs), Map.copyOf(merged));
    }

    /** Apply holds a not yet committed change from this partition; the oldest one counts. */
    public void pending(TopicPartition partition, long commitTsMs) {
        oldestPending.putIfAbsent(partition, commitTsMs);
    }

    /** After a target commit: per partition the next offset and the commit time of its last applied change. */
    public void applied(TopicPartition partition, long nextOffset, long commitTsMs) {
        oldestPending.remove(partition);
        applied.merge(partition, new Applied(nextOffset, commitTsMs),
                (old, now) -> new Applied(Math.max(old.nextOffset, now.nextOffset), Math.max(old.commitTsMs, now.commitTsMs)));
        if (caughtUp(partition, published.lastOffsets.getOrDefault(partition, -1L))) {
            oldestUnapplied.remove(partition);
        }
    }

    private boolean caughtUp(TopicPartition partition, long lastPublishedOffset) {
        Applied a = applied.get(partition);
        return lastPublishedOffset < 0 || a != null && a.nextOffset > lastPublishedOffset;
    }

    /** Apply resumed from stored positions: known offsets (with the commit time last applied, if known). */
    public void resumed(TopicPartition partition, long nextOffset, long commitTsMs) {
        applied.put(partition, new Applied(nextOffset, commitTsMs));
    }

    /** Capture published a heartbeat carrying a cutover marker: everything committed before it is in Kafka. */
    public synchronized void markerPublished(String marker) {
        markerDrainTarget = publishedNextOffsets();
        lastMarker = marker;
    }

    /**
     * A control plane learned that every change committed before {@code marker} is in Kafka
     * (capture runs elsewhere): {@code nextOffsets} are the partitions' ends it read after that.
     */
    public synchronized void markerPublished(String marker, Map<TopicPartition, Long> nextOffsets) {
        markerDrainTarget = Map.copyOf(nextOffsets);
        lastMarker = marker;
    }

    /** The offsets every partition must be applied through once {@code marker} was published, if it was. */
    public java.util.Optional<Map<TopicPartition, Long>> drainTarget(String marker) {
        synchronized (this) {
            return marker.equals(lastMarker) ? java.util.Optional.of(markerDrainTarget) : java.util.Optional.empty();
        }
    }

    /** A cutover's drain is waiting for apply: partial batches should be written at once, not after their wait. */
    public boolean drainPending() {
        return !appliedThrough(markerDrainTarget);
    }

    /** Source clock minus local clock, as measured by the heartbeat round trip. */
    public void skewMs(long skew) {
        this.skewMs = skew;
    }

    public double skewSeconds() {
        return skewMs / 1000.0;
    }

    /** Source commit time (local clock) up to which every change is applied; empty if unknown. */
    public OptionalLong appliedFrontierMs() {
        Published p = published;
        if (p.commitTsMs == Long.MIN_VALUE) {
            return OptionalLong.empty();
        }
        long frontier = p.commitTsMs;
        for (Map.Entry<TopicPartition, Long> e : p.lastOffsets.entrySet()) {
            if (caughtUp(e.getKey(), e.getValue())) {
                continue; // applied everything capture published to this partition
            }
            // Each of these is a lower bound of what is applied in the partition; take the tightest.
            Applied a = applied.get(e.getKey());
            long bound = a != null ? a.commitTsMs : Long.MIN_VALUE;
            Long unapplied = oldestUnapplied.get(e.getKey());
            if (unapplied != null) {
                bound = Math.max(bound, unapplied - 1);
            }
            Long waiting = oldestPending.get(e.getKey());
            if (waiting != null) {
                bound = Math.max(bound, waiting - 1);
            }
            if (bound == Long.MIN_VALUE) {
                return OptionalLong.empty();
            }
            frontier = Math.min(frontier, bound);
        }
        return OptionalLong.of(frontier - skewMs);
    }

    public OptionalLong capturedFrontierMs() {
        long ts = published.commitTsMs;
        return ts == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(ts - skewMs);
    }

    public double endToEndSeconds() {
        return age(appliedFrontierMs());
    }

    public double captureSeconds() {
        return age(capturedFrontierMs());
    }

    /** How far apply trails capture, in source time. */
    public double applySeconds() {
        return Math.max(0, endToEndSeconds() - captureSeconds());
    }

    /** The partitions' published ends right now: the drain target once capture passed a marker. */
    public Map<TopicPartition, Long> publishedNextOffsets() {
        Map<TopicPartition, Long> next = new HashMap<>();
        published.lastOffsets.forEach((tp, last) -> next.put(tp, last + 1));
        return next;
    }

    /** True when apply has committed every offset below the given ones. */
    public boolean appliedThrough(Map<TopicPartition, Long> nextOffsets) {
        for (Map.Entry<TopicPartition, Long> e : nextOffsets.entrySet()) {
            Applied a = applied.get(e.getKey());
            if (e.getValue() > 0 && (a == null || a.nextOffset < e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private double age(OptionalLong frontierMs) {
        long now = System.currentTimeMillis();
        long since = frontierMs.isPresent() ? frontierMs.getAsLong() : startedAtMs;
        return Math.max(0, now - since) / 1000.0;
    }
}
