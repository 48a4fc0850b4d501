package io.greenlight.apply;

import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.leader.Fence;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.TableId;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.Guard;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.connect.data.Struct;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The apply side of the pipeline: consumes the change topics, batches by count and time, and
 * writes each batch plus the consumed positions in one target transaction. Transient target
 * failures are retried with bounded exponential backoff; anything else stops apply with the
 * event's coordinates.
 */
public final class ApplyLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(ApplyLoop.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final DataSource target;
    private final BatchWriter writer;
    private final OffsetStore offsets;
    private final PipelineMeters meters;
    private final LagTracker lag;
    private final int batchSize;
    private final Duration batchMaxWait;
    private final Consumer<Throwable> onFailure;
    private final ChangeDecoder decoder = new ChangeDecoder();
    private final Guard retry;
    private final PoisonPolicy poison;
    private final TablePauses pauses;
    /** Partitions of paused tables, held with KafkaConsumer.pause until resumed. */
    private final Map<TableId, List<TopicPartition>> held = new HashMap<>();

    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean running;
    private volatile Thread thread;
    private volatile boolean retrying;
    private int consecutiveFailures;
    private long replaysSkipped;
    private final Map<TopicPartition, SourcePosition> watermarks = new HashMap<>();
    private volatile java.util.function.Predicate<Change> alreadyCopied = c -> false;
    private volatile Function<String, Optional<TableId>> tableOfTopic = topic -> Optional.empty();
    private final Map<TopicPartition, Long> commitTimes = new HashMap<>();
    private volatile ApplyGate gate = ApplyGate.alwaysOpen();
    private volatile Map<TableId, io.greenlight.schema.SourceTable> tables = Map.of();
    private boolean gateHeld;
    private volatile Map<TableId, String> heldFromStart = Map.of();
    /** What greenlight_offsets holds for each partition: where a part of a batch continues from. */
    private final Map<TopicPartition, PartitionPosition> committed = new HashMap<>();
    private final TruncateBarrier truncates = new TruncateBarrier();
    private volatile Fence fence = Fence.NONE;

    public ApplyLoop(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, DataSource target,
                     BatchWriter writer, OffsetStore offsets, PipelineMeters meters, LagTracker lag, int batchSize,
                     Duration batchMaxWait, Consumer<Throwable> onFailure, PoisonPolicy poison, TablePauses pauses) {
        this.consumer = consumer;
        this.partitions = List.copyOf(partitions);
        this.target = target;
        this.writer = writer;
        this.offsets = offsets;
        this.meters = meters;
        this.lag = lag;
        this.batchSize = batchSize;
        this.batchMaxWait = batchMaxWait;
        this.onFailure = onFailure;
        this.poison = poison;
        this.pauses = pauses;
        this.retry = Guard.create().withDescription("apply batch to target")
                .withRetry().maxRetries(-1).maxDuration(3650, ChronoUnit.DAYS)
                .delay(200, ChronoUnit.MILLIS).jitter(100, ChronoUnit.MILLIS)
                .withExponentialBackoff().factor(2).maxDelay(30, ChronoUnit.SECONDS).done()
                .whenException(ApplyLoop::isTransient)
                .beforeRetry(this::onRetry)
                .done().build();
    }

    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            return; // closed before it ran: close() closed the consumer
        }
        thread = Thread.currentThread();
        try {
            holdTablesPausedByTheBackfill(seekToStoredPositions());
            running = true;
            List<Change> pending = new ArrayList<>();
            Map<TopicPartition, PartitionPosition> next = new HashMap<>();
            long firstPendingAt = 0;
            while (!closing) {
                resumeRequested();
                ApplyGate.Mode gateMode = followGate();
                long waited = pending.isEmpty() && next.isEmpty() ? 0 : System.nanoTime() - firstPendingAt;
                Duration timeout = gateMode == ApplyGate.Mode.HELD || pending.isEmpty() && next.isEmpty() ? batchMaxWait
                        : batchMaxWait.minusNanos(Math.min(waited, batchMaxWait.toNanos()));
                ConsumerRecords<byte[], byte[]> records = poll(timeout);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (pending.isEmpty() && next.isEmpty()) {
                        firstPendingAt = System.nanoTime();
                    }
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (truncates.waiting(partition)) {
                        continue; // after its truncate copy: read again once the truncate is applied
                    }
                    Optional<Change> decoded = decode(record);
                    // A truncate or a source DDL has a copy in every partition of its table's topic.
                    if (decoded.isPresent() && (decoded.get().op() == ChangeOp.TRUNCATE || decoded.get().isDdl())
                            && partitionCount(partition) > 1) {
                        truncateCopy(partition, decoded.get(), pending, next);
                        continue;
                    }
                    Optional<Change> change = decoded.filter(c -> isNew(partition, c))
                            .filter(c -> !alreadyCopied.test(c));
                    change.ifPresent(pending::add);
                    change.ifPresent(c -> {
                        long committed = lag.commitTime(c.op() == ChangeOp.READ, c.sourceTsMs());
                        commitTimes.merge(partition, committed, Math::max);
                        lag.pending(partition, committed);
                    });
                    next.put(partition, new PartitionPosition(record.offset() + 1, watermarks.get(partition),
                            commitTimes.getOrDefault(partition, Long.MIN_VALUE)));
                }
                if (!records.isEmpty()) {
                    reportConsumerLag();
                }
                boolean full = pending.size() >= batchSize;
                // During a cutover's drain writes are blocked on the source: waiting to fill a batch is downtime.
                boolean due = !next.isEmpty() && (System.nanoTime() - firstPendingAt >= batchMaxWait.toNanos()
                        || lag.drainPending());
                // The gate as it is now, not as it was before the poll: a rollback holds it before the source takes writes again.
                gateMode = gate.mode();
                if ((full || due) && gateMode == ApplyGate.Mode.CLOSED) {
                    pending.forEach(this::unapplied); // not committed: a restart reports them again
                    // Handled (reported) for lag's sake: after a rollback opens the gate, lag counts from here.
                    next.forEach((partition, position) -> lag.applied(partition, position.nextOffset(), position.sourceTsMs()));
                    pending = new ArrayList<>();
                    next = new HashMap<>();
                } else if ((full || due) && gateMode == ApplyGate.Mode.OPEN) {
                    commit(pending, next);
                    pending = new ArrayList<>();
                    next = new HashMap<>();
                }
            }
        } catch (WakeupException e) {
            if (!closing) {
                fail(e);
            }
        } catch (Exception e) {
            if (!closing || !(e instanceof InterruptedException || e instanceof ClosedMidBatch)) {
                fail(e);
            }
        } finally {
            running = false;
            Thread.interrupted(); // a close() during a retry wait interrupted us; close the consumer cleanly anyway
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * One copy of a multi-partition truncate (see {@link TruncateBarrier}): its partition waits at
     * the copy, positioned so that a restart reads it again; when every partition's copy is read,
     * the truncate joins the batch once, after every earlier change of the table.
     */
    private void truncateCopy(TopicPartition partition, Change copy, List<Change> pending,
                              Map<TopicPartition, PartitionPosition> next) {
        SourcePosition watermark = watermarks.get(partition);
        if (copy.position() != null && watermark != null && copy.position().compareTo(watermark) <= 0) {
            next.put(partition, new PartitionPosition(copy.offset() + 1, watermark, commitTimes.getOrDefault(partition, Long.MIN_VALUE)));
            return; // a replayed copy of a truncate already applied
        }
        consumer.pause(List.of(partition));
        consumer.seek(partition, copy.offset() + 1);
        next.put(partition, new PartitionPosition(copy.offset(), watermark, commitTimes.getOrDefault(partition, Long.MIN_VALUE)));
        Optional<Map<TopicPartition, Change>> all = truncates.arrive(partition, copy, partitionCount(partition));
        if (all.isEmpty()) {
            return;
        }
        pending.add(copy);
        lag.pending(partition, copy.sourceTsMs());
        Map<TopicPartition, PartitionPosition> past = new HashMap<>();
        all.get().forEach((p, c) -> {
            if (c.position() != null) {
                watermarks.merge(p, c.position(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
            commitTimes.merge(p, c.sourceTsMs(), Math::max);
            past.put(p, new PartitionPosition(c.offset() + 1, watermarks.get(p), commitTimes.get(p)));
            if (!isHeld(p)) {
                consumer.resume(List.of(p));
            }
        });
        next.putAll(past);
        pastCopies.put(copy, past); // the truncate is committed with every copy's position, in whichever part
    }

    /** The positions after every copy of a multi-partition truncate that is in the batch being written. */
    private final Map<Change, Map<TopicPartition, PartitionPosition>> pastCopies = new java.util.IdentityHashMap<>();


    private int partitionCount(TopicPartition partition) {
        int count = 0;
        for (TopicPartition p : partitions) {
            if (p.topic().equals(partition.topic())) {
                count++;
            }
        }
        return count;
    }

    /** A position Kafka no longer holds stops apply, naming what was lost: never a silent jump ahead. */
    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (OffsetOutOfRangeException e) {
            Map<TopicPartition, Long> needed = e.offsetOutOfRangePartitions();
            throw new ApplyException(LostChanges.describe(needed, consumer.beginningOffsets(needed.keySet()),
                    consumer.endOffsets(needed.keySet()), tableOfTopic), e);
        }
    }

    /**
     * The leader's fencing token: every transaction checks it first (and again before its offsets,
     * past any DDL's implicit commit), so an instance that lost the lease commits nothing. Set before run().
     */
    public void fencedBy(Fence fence) {
        this.fence = fence;
    }

    /** Names the table of a change topic in errors. Set before run(). */
    public void naming(Function<String, Optional<TableId>> tableOfTopic) {
        this.tableOfTopic = tableOfTopic;
    }

    public boolean isRunning() {
        return running;
    }

    /**
     * Changes a table's backfill copy already contains (it was copied at a snapshot taken after the
     * stream's start, see io.greenlight.backfill) are skipped instead of applied twice. Set before run().
     */
    public void skipping(java.util.function.Predicate<Change> copied) {
        this.alreadyCopied = copied;
    }

    /**
     * The cutover's gate (see {@link ApplyGate}); {@code tables} name the keys of changes reported
     * while it is closed. Set before run().
     */
    public void gatedBy(ApplyGate gate, Map<TableId, io.greenlight.schema.SourceTable> tables) {
        this.gate = gate;
        this.tables = Map.copyOf(tables);
        tables.keySet().forEach(gate::track);
    }

    /** HELD pauses every partition (nothing is consumed, nothing is lost); OPEN or CLOSED reads on. */
    private ApplyGate.Mode followGate() {
        ApplyGate.Mode mode = gate.mode();
        boolean hold = mode == ApplyGate.Mode.HELD;
        if (hold && !gateHeld) {
            consumer.pause(partitions);
        } else if (!hold && gateHeld) {
            List<TopicPartition> resume = new ArrayList<>(partitions);
            held.values().forEach(resume::removeAll); // paused tables stay paused
            resume.removeIf(truncates::waiting); // and partitions waiting at a truncate's copy
            consumer.resume(resume);
        }
        gateHeld = hold;
        return mode;
    }

    private void unapplied(Change change) {
        io.greenlight.schema.SourceTable table = tables.get(change.table());
        Struct row = change.after() != null ? change.after() : change.before();
        gate.unapplied(change, table != null && row != null ? RowKey.of(table, row) : "(key unknown)");
    }

    /** Stops after the batch in flight; what was not committed is consumed again on restart. */
    public void close() {
        closing = true;
        if (started.compareAndSet(false, true)) {
            consumer.close(Duration.ofSeconds(5)); // never ran (a stop during the backfill): nobody else will close it
            return;
        }
        consumer.wakeup();
        Thread t = thread;
        if (t != null && retrying) {
            t.interrupt(); // cut a backoff wait short; a batch in flight is rolled back
        }
    }

    /**
     * Tables the backfill paused (by their topics): apply holds their partitions where they stand
     * and never resumes them; a restart copies them again. Set before run().
     */
    public void holdFromStart(Map<TableId, String> topics) {
        this.heldFromStart = Map.copyOf(topics);
    }

    private void holdTablesPausedByTheBackfill(Map<TopicPartition, PartitionPosition> stored) {
        heldFromStart.forEach((table, topic) -> {
            Map<TopicPartition, PartitionPosition> at = new HashMap<>();
            partitions.stream().filter(p -> p.topic().equals(topic)).forEach(p -> at.put(p, stored.get(p)));
            hold(table, at);
            LOG.infof("Apply holds %s: the backfill paused it, its copy is incomplete", table);
        });
    }

    private Map<TopicPartition, PartitionPosition> seekToStoredPositions() throws SQLException {
        Map<TopicPartition, PartitionPosition> stored;
        try (Connection connection = target.getConnection()) {
            stored = offsets.load(connection);
        }
        committed.putAll(stored);
        consumer.assign(partitions);
        lag.reset(consumer.endOffsets(partitions));
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            PartitionPosition position = stored.get(partition);
            if (position == null) {
                fromStart.add(partition);
            } else {
                consumer.seek(partition, position.nextOffset());
                if (position.watermark() != null) {
                    watermarks.put(partition, position.watermark());
                }
                commitTimes.put(partition, position.sourceTsMs());
                lag.resumed(partition, position.nextOffset(), position.sourceTsMs());
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart); // an empty list would rewind every assigned partition
        }
        LOG.infof("Apply resumes %d partition(s) from the target's greenlight_offsets (%d from the beginning)",
                partitions.size(), fromStart.size());
        return stored;
    }

    /**
     * A streamed change at or below the partition's watermark was already applied: capture
     * re-publishes from its last flushed source offset after a crash. Skipping it keeps inserts
     * into keyless tables from doubling.
     */
    private boolean isNew(TopicPartition partition, Change change) {
        SourcePosition position = change.position();
        if (position == null) {
            return true;
        }
        SourcePosition watermark = watermarks.get(partition);
        if (watermark != null && position.compareTo(watermark) <= 0) {
            if (replaysSkipped++ == 0) {
                LOG.infof("Skipping replayed change at %s: position %s is not after the applied watermark %s",
                        change.coordinates(), position, watermark);
            }
            return false;
        }
        watermarks.put(partition, position);
        return true;
    }

    private Optional<Change> decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return decoder.decode(record).map(JulianSnapshotFix::apply);
        } catch (RuntimeException e) {
            throw new ApplyException("Cannot decode the change at Kafka " + record.topic() + "-" + record.partition()
                    + "@" + record.offset() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the batch in as few target transactions as it allows (see {@link BatchWriter#transactions}):
     * each part is committed with the positions it reached, the last with every partition's.
     */
    private void commit(List<Change> batch, Map<TopicPartition, PartitionPosition> positions) throws Exception {
        List<List<Change>> parts = writer.transactions(batch);
        for (int i = 0; i < parts.size(); i++) {
            // A table paused by an earlier part stops there: none of its later changes or positions are written.
            List<Change> part = parts.get(i).stream().filter(c -> !held.containsKey(c.table())).toList();
            Map<TopicPartition, PartitionPosition> reached = new HashMap<>();
            if (i == parts.size() - 1) {
                positions.forEach((partition, position) -> {
                    if (!isHeld(partition)) {
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
            commitPart(part, reached);
        }
        pastCopies.clear();
    }

    private boolean isHeld(TopicPartition partition) {
        for (List<TopicPartition> partitions : held.values()) {
            if (partitions.contains(partition)) {
                return true;
            }
        }
        return false;
    }

    private void commitPart(List<Change> batch, Map<TopicPartition, PartitionPosition> positions) throws Exception {
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
                if (closing || isTransient(e) || StaleLeaderException.in(e)) {
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
        paused.forEach(this::hold);
        next.forEach((partition, position) -> lag.applied(partition, position.nextOffset(), position.sourceTsMs()));
        retrying = false;
        if (consecutiveFailures > 0) {
            LOG.infof("Target writes succeed again after %d failed attempt(s); apply resumed", consecutiveFailures);
            consecutiveFailures = 0;
        }
        count(changes);
        if (replaysSkipped > 0) {
            LOG.infof("Skipped %d change(s) re-published by capture after a restart (already applied)", replaysSkipped);
            replaysSkipped = 0;
        }
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

    /**
     * Stops reading the paused table's partitions and rewinds them to where it stopped, with the
     * replay watermark and commit time they had there, so a resume re-reads from the change at fault.
     */
    private void hold(TableId table, Map<TopicPartition, PartitionPosition> at) {
        List<TopicPartition> tablePartitions = List.copyOf(at.keySet());
        consumer.pause(tablePartitions);
        at.forEach((partition, position) -> {
            if (position == null) {
                consumer.seekToBeginning(List.of(partition));
                watermarks.remove(partition);
                commitTimes.remove(partition);
            } else {
                consumer.seek(partition, position.nextOffset());
                if (position.watermark() == null) {
                    watermarks.remove(partition);
                } else {
                    watermarks.put(partition, position.watermark());
                }
                commitTimes.put(partition, position.sourceTsMs());
            }
        });
        held.put(table, tablePartitions);
    }

    /** POST /tables/{table}/resume: read the table's partitions again from where they were held. */
    private void resumeRequested() {
        for (TableId table : pauses.takeResumeRequests()) {
            List<TopicPartition> tablePartitions = held.remove(table);
            if (tablePartitions != null) {
                writer.resumed(table);
                consumer.resume(tablePartitions.stream().filter(p -> !truncates.waiting(p)).toList());
                LOG.infof("Apply of %s resumes from the change it was paused at", table);
            }
        }
    }

    private static boolean usable(Connection connection) {
        try {
            return !connection.isClosed() && connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Records behind each partition's end, from the consumer's last fetch (no extra round trip). */
    private void reportConsumerLag() {
        long total = 0;
        for (TopicPartition partition : partitions) {
            OptionalLong behind = consumer.currentLag(partition);
            if (behind.isPresent()) {
                total += behind.getAsLong();
            }
        }
        meters.consumerLagRecords(total);
    }

    private void onRetry(Throwable cause) {
        retrying = true;
        meters.applyError();
        if (consecutiveFailures++ == 0) {
            LOG.warnf("Writing to the target failed (%s); retrying with exponential backoff up to 30 s. "
                    + "Lag grows until the target is back; nothing is skipped.", cause.getMessage());
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

    private void fail(Exception e) {
        meters.applyError();
        LOG.errorf(e, "Apply stopped: %s", e.getMessage());
        onFailure.accept(e);
    }

    /** Connection loss, timeouts and deadlocks pass; constraint and data errors do not. */
    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApplyException) {
                return false;
            }
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().equals("40001")
                    || sql.getSQLState().equals("40P01") // PostgreSQL deadlock
                    || sql.getSQLState().startsWith("57P") // PostgreSQL shutting down or starting up
                    || sql.getSQLState().equals("HY000") && sql.getErrorCode() == 1205)) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    /** The batch in flight was rolled back because apply was closed while writing it. */
    private static final class ClosedMidBatch extends SQLException {
        ClosedMidBatch() {
            super("apply was closed while writing a batch: rolled back, not committed (the next start applies it)");
        }
    }
}
