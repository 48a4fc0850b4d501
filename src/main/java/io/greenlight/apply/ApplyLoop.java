package io.greenlight.apply;

import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.leader.Fence;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.TableId;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.connect.data.Struct;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.util.TypeLiteral;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
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
    /**
     * Kafka reads at start that time out (a broker that does not answer yet, or this process frozen
     * past the clients' timeout, so that it has passed when the process resumes) are tried again
     * until Kafka answers or apply is closed; meanwhile lag grows and nothing is skipped.
     */
    private static final Guard KAFKA_AT_START = Guard.create().withDescription("apply's first Kafka reads")
            .withRetry().maxRetries(-1).maxDuration(3650, ChronoUnit.DAYS)
            .delay(500, ChronoUnit.MILLIS).jitter(100, ChronoUnit.MILLIS)
            .withExponentialBackoff().factor(2).maxDelay(15, ChronoUnit.SECONDS).done()
            .whenException(e -> e instanceof RetriableException)
            .beforeRetry(e -> LOG.warnf("Apply waits for Kafka (%s); it tries again", e.getMessage()))
            .done().build();

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
    private final BatchApply batches;
    /** Tables held (paused): this loop's consumer stops reading their partitions until they are resumed. */
    private final TableHolds holds = new TableHolds(this::pausePartitions);
    private final PoisonPolicy poison;
    private final TablePauses pauses;

    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean running;
    private volatile Thread thread;
    private long replaysSkipped;
    private final Map<TopicPartition, SourcePosition> watermarks = new HashMap<>();
    private volatile java.util.function.Predicate<Change> alreadyCopied = c -> false;
    private volatile Function<String, Optional<TableId>> tableOfTopic = topic -> Optional.empty();
    private final Map<TopicPartition, Long> commitTimes = new HashMap<>();
    private volatile ApplyGate gate = ApplyGate.alwaysOpen();
    private volatile Map<TableId, io.greenlight.schema.SourceTable> tables = Map.of();
    private boolean gateHeld;
    private volatile Map<TableId, String> heldFromStart = Map.of();
    private final TruncateBarrier truncates = new TruncateBarrier();

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
        // Transient target failures are retried until the target is back: lag grows meanwhile, nothing is skipped.
        this.batches = new BatchApply(target, writer, offsets, meters, lag, poison, Duration.ofDays(3650));
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
                boolean full = pending.size() >= batchSize && !(endsWithDelete(pending) && pending.size() < 2 * batchSize);
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
                    batches.commit(pending, next, partitions, holds);
                    if (replaysSkipped > 0) {
                        LOG.infof("Skipped %d change(s) re-published by capture after a restart (already applied)", replaysSkipped);
                        replaysSkipped = 0;
                    }
                    pending = new ArrayList<>();
                    next = new HashMap<>();
                }
            }
        } catch (WakeupException e) {
            if (!closing) {
                fail(e);
            }
        } catch (Exception e) {
            if (!closing || !(e instanceof InterruptedException || e instanceof BatchApply.ClosedMidBatch)) {
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
            if (!holds.partition(p)) {
                consumer.resume(List.of(p));
            }
        });
        next.putAll(past);
        batches.pastCopies(copy, past); // the truncate is committed with every copy's position, in whichever part
    }


    /**
     * A full batch that ends with a delete reads on (up to twice its size) before it is cut: the
     * delete may be the first half of a primary key change whose second half, a create carrying an
     * unchanged-TOAST placeholder, needs it in the same batch (see {@link KeyMoves}).
     */
    private static boolean endsWithDelete(List<Change> pending) {
        return !pending.isEmpty() && pending.get(pending.size() - 1).op() == ChangeOp.DELETE;
    }

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
        batches.fencedBy(fence);
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
            resume.removeAll(holds.partitions()); // paused tables stay paused
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
        batches.close();
        if (started.compareAndSet(false, true)) {
            consumer.close(Duration.ofSeconds(5)); // never ran (a stop during the backfill): nobody else will close it
            return;
        }
        consumer.wakeup();
        Thread t = thread;
        if (t != null && batches.retrying()) {
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
            holds.hold(table, at);
            LOG.infof("Apply holds %s: the backfill paused it, its copy is incomplete", table);
        });
    }

    private Map<TopicPartition, Long> endOffsets() {
        try {
            return KAFKA_AT_START.call(() -> consumer.endOffsets(partitions), new TypeLiteral<>() { });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<TopicPartition, PartitionPosition> seekToStoredPositions() throws SQLException {
        Map<TopicPartition, PartitionPosition> stored;
        try (Connection connection = target.getConnection()) {
            stored = offsets.load(connection);
        }
        batches.committed().putAll(stored);
        consumer.assign(partitions);
        lag.reset(endOffsets());
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
        return decoder.decodeForApply(record);
    }

    /**
     * Stops reading the paused table's partitions and rewinds them to where it stopped, with the
     * replay watermark and commit time they had there, so a resume re-reads from the change at fault.
     */
    private List<TopicPartition> pausePartitions(TableId table, Map<TopicPartition, PartitionPosition> at) {
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
        return tablePartitions;
    }

    /** POST /tables/{table}/resume: read the table's partitions again from where they were held. */
    private void resumeRequested() {
        for (TableId table : pauses.takeResumeRequests()) {
            List<TopicPartition> tablePartitions = holds.release(table);
            if (!tablePartitions.isEmpty()) {
                writer.resumed(table);
                consumer.resume(tablePartitions.stream().filter(p -> !truncates.waiting(p)).toList());
                LOG.infof("Apply of %s resumes from the change it was paused at", table);
            }
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

}
