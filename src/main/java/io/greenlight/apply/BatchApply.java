package io.greenlight.apply;

import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.leader.Fence;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.schema.TableId;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.Guard;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one batch of decoded changes to the target, each transaction with the Kafka positions
 * (and source watermarks) it reached: the unit every apply runner shares, the embedded
 * {@link ApplyLoop} and the Kafka Connect sink task forward, and reverse replication's feed from
 * the new primary's capture (io.greenlight.reverse), whose positions are the engine's source offset
 * kept on the old source ({@link PositionStore}). Transient target failures are retried with
 * exponential backoff; a change the target cannot take is handled by the {@link PoisonPolicy}
 * (its table is then held through {@link TableHolds}); anything else is thrown.
 */
public final class BatchApply {

    private static final Logger LOG = Logger.getLogger(BatchApply.class);

    private final DataSource target;
    private final BatchWriter writer;
    private final PositionStore offsets;
    private final PipelineMeters meters;
    private final LagTracker lag;
    private final PoisonPolicy poison;
    private final Guard retry;
    /** What greenlight_offsets holds for each partition: where a part of a batch continues from. */
    private final Map<TopicPartition, PartitionPosition> committed = new HashMap<>();
    /** The positions after every copy of a multi-partition truncate that is in the batch being written. */
    private final Map<Change, Map<TopicPartition, PartitionPosition>> pastCopies = new IdentityHashMap<>();
    private volatile Fence fence = Fence.NONE;
    /** The end written to, as log lines name it. */
    private volatile String end = "the target";
    private volatile boolean closing;
    private volatile boolean retrying;
    private int consecutiveFailures;

    /** {@code retryFor}: how long transient failures of one transaction are retried before they are thrown. */
    public BatchApply(DataSource target, BatchWriter writer, PositionStore offsets, PipelineMeters meters, LagTracker lag,
                      PoisonPolicy poison, Duration retryFor) {
        this.target = target;
        this.writer = writer;
        this.offsets = offsets;
        this.meters = meters;
        this.lag = lag;
        this.poison = poison;
        this.retry = Guard.create().withDescription("apply batch to target")
                .withRetry().maxRetries(-1).maxDuration(retryFor.toMillis(), ChronoUnit.MILLIS)
                .delay(200, ChronoUnit.MILLIS).jitter(100, ChronoUnit.MILLIS)
                .withExponentialBackoff().factor(2).maxDelay(30, ChronoUnit.SECONDS).done()
                .whenException(ApplyLoop::isTransient)
                .beforeRetry(this::onRetry)
                .done().build();
    }

    /** Connection loss, timeouts and deadlocks: retried (see {@link ApplyLoop#isTransient}). */
    public static boolean isTransient(Throwable e) {
        return ApplyLoop.isTransient(e);
    }

    /** The leader's (or partition owner's) fencing token, checked first in every transaction. */
    public void fencedBy(Fence fence) {
        this.fence = fence;
    }

    /** How log lines name the end written to ("the target"; reverse replication: "the old source"). Set before the first batch. */
    public void writingTo(String end) {
        this.end = end;
    }

    /** The positions the target holds, as read at start (and updated with every commit). */
    public Map<TopicPartition, PartitionPosition> committed() {
        return committed;
    }

    /** The copies of a multi-partition truncate: committed with the truncate, in whichever part it lands. */
    void pastCopies(Change truncate, Map<TopicPartition, PartitionPosition> past) {
        pastCopies.put(truncate, past);
    }

    /** A stop was asked for: a batch in flight is rolled back instead of committed behind the next owner's back. */
    public void close() {
        closing = true;
    }

    /** True while a transient failure is being retried (a stop may interrupt the backoff wait). */
    public boolean retrying() {
        return retrying;
    }

    /**
     * Writes the batch in as few target transactions as it allows (see {@link BatchWriter#transactions}):
     * each part is committed with the positions it reached, the last with every partition's.
     */
    public void commit(List<Change> batch, Map<TopicPartition, PartitionPosition> positions, List<TopicPartition> partitions,
                       TableHolds holds) throws Exception {
        List<List<Change>> parts = writer.transactions(batch);
        for (int i = 0; i < parts.size(); i++) {
            // A table paused by an earlier part stops there: none of its later changes or positions are written.
            List<Change> part = parts.get(i).stream().filter(c -> !holds.table(c.table())).toList();
            Map<TopicPartition, PartitionPosition> reached = new HashMap<>();
            if (i == parts.size() - 1) {
                positions.forEach((partition, position) -> {
                    if (!holds.partition(partition)) {
                        reached.put(partition, position);
                    }
                });
            } else {
                for (Change change : part) {
                    TopicPartition partition = new TopicPartition(change.topic(), change.partition());
                    reached.put(partition, PartitionPosition.after(reached.getOrDefault(partition, committed.get(partition)), change));
                    Map<TopicPartition, PartitionPosition> copies = pastCopies.get(change);
                    if (copies != null) {
                        reached.putAll(copies);
                    }
                }
            }
            commitPart(part, reached, partitions, holds);
        }
        pastCopies.clear();
    }

    private void commitPart(List<Change> batch, Map<TopicPartition, PartitionPosition> positions,
                            List<TopicPartition> partitions, TableHolds holds) throws Exception {
        List<Change> changes = batch;
        Map<TopicPartition, PartitionPosition> next = positions;
        Map<TableId, Map<TopicPartition, PartitionPosition>> paused = new HashMap<>();
        while (true) {
            List<Change> attempt = changes;
            Map<TopicPartition, PartitionPosition> attemptNext = next;
            try {
                retry.call(() -> {
                    writeOnce(attempt, attemptNext);
                    return null;
                }, Void.class);
                break;
            } catch (Exception e) {
                if (closing || ApplyLoop.isTransient(e) || StaleLeaderException.in(e)) {
                    throw e; // a stale leader's batch is nobody's poison: it stops here
                }
                meters.applyError();
                // Not curable by retrying: hold back the change at fault (see PoisonPolicy) and write the rest.
                PoisonPolicy.Narrowed narrowed = retry.call(() -> poison.narrow(attempt, attemptNext, partitions, e),
                        PoisonPolicy.Narrowed.class);
                changes = narrowed.changes();
                next = narrowed.next();
                if (narrowed.paused() != null) {
                    paused.put(narrowed.paused(), narrowed.pausedAt());
                }
            }
        }
        committed.putAll(next);
        paused.forEach(holds::hold);
        next.forEach((partition, position) -> lag.applied(partition, position.nextOffset(), position.sourceTsMs()));
        retrying = false;
        if (consecutiveFailures > 0) {
            LOG.infof("Writes to %s succeed again after %d failed attempt(s); apply resumed", end, consecutiveFailures);
            consecutiveFailures = 0;
        }
        count(changes);
    }

    private void writeOnce(List<Change> changes, Map<TopicPartition, PartitionPosition> next) throws SQLException {
        Timer.Sample sample = Timer.start();
        try (Connection connection = target.getConnection()) {
            connection.setAutoCommit(false);
            try {
                fence.check(connection);
                writer.write(connection, changes);
                fence.check(connection); // a DDL's implicit commit (MySQL) ended the transaction the first check locked in
                offsets.save(connection, next);
                if (closing) {
                    // A stop that waited for this batch in vain (e.g. it waited on a row lock) has
                    // returned: whoever starts next owns the target; this batch must not land behind its back.
                    throw new ClosedMidBatch();
                }
                connection.commit();
                sample.stop(meters.applyBatch());
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                if (e instanceof SQLException sql && !usable(connection)) {
                    // Whatever the driver called it ("statement closed", "link failure"): the connection died.
                    throw new SQLTransientConnectionException("the target connection was lost: " + sql.getMessage(), "08006", sql);
                }
                throw e;
            } finally {
                fence.after(connection);
            }
        }
    }

    private void onRetry(Throwable cause) {
        retrying = true;
        meters.applyError();
        if (consecutiveFailures++ == 0) {
            LOG.warnf("Writing to %s failed (%s); retrying with exponential backoff up to 30 s. "
                    + "Lag grows until %s is back; nothing is skipped.", end, cause.getMessage(), end);
        }
    }

    private void count(List<Change> changes) {
        Map<String, Long> counts = new HashMap<>();
        for (Change change : changes) {
            counts.merge(change.table() + "\u0000" + change.op().label(), 1L, Long::sum);
        }
        counts.forEach((k, n) -> {
            int sep = k.indexOf('\u0000');
            meters.applied(k.substring(0, sep), k.substring(sep + 1), n);
        });
    }

    private static boolean usable(Connection connection) {
        try {
            return !connection.isClosed() && connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    /** The batch in flight was rolled back because apply was closed while writing it. */
    static final class ClosedMidBatch extends SQLException {
        ClosedMidBatch() {
            super("apply was closed while writing a batch: rolled back, not committed (the next start applies it)");
        }
    }
}
