package io.greenlight.connect;

import io.greenlight.apply.BatchApply;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.Change;
import io.greenlight.apply.ChangeDecoder;
import io.greenlight.apply.DeadLetterSink;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PartitionPosition;
import io.greenlight.apply.PoisonPolicy;
import io.greenlight.apply.SchemaEvolution;
import io.greenlight.apply.SourcePosition;
import io.greenlight.apply.TableHolds;
import io.greenlight.apply.TablePauses;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.TableId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Greenlight's apply inside a Kafka Connect task: the records Connect hands to {@link #put} are
 * decoded and written by the same {@link BatchApply} the embedded apply loop uses, each target
 * transaction with the task's partitions' next offsets and source watermarks in greenlight_offsets.
 * The target's record is the truth: {@link #open} seeks there, {@link #preCommit} reports only
 * what the target holds, so Kafka's committed offsets never run ahead of the target, and a task
 * moved to another worker resumes exactly.
 *
 * Values must reach the task as bytes (value.converter and key.converter
 * org.apache.kafka.connect.converters.ByteArrayConverter): the change envelope is decoded here.
 */
public final class GreenlightSinkTask extends SinkTask {

    private static final Logger LOG = Logger.getLogger(GreenlightSinkTask.class);

    private GreenlightSinkConfig config;
    private SinkEndpoints endpoints;
    private BatchApply batches;
    private final ChangeDecoder decoder = new ChangeDecoder();
    private final LagTracker lag = new LagTracker();
    private final List<TopicPartition> assigned = new ArrayList<>();
    /** Tables paused at a change the target cannot take, with their partitions: held until the task restarts. */
    private final TableHolds holds = new TableHolds(this::pausePartitions);
    /** The records of the put being written, by position: what the dead letter queue is given. */
    private final Map<String, SinkRecord> inFlight = new HashMap<>();
    private long replaysSkipped;
    /**
     * The delete of a primary key change that ended the last put, with its partition's records after
     * it, held back for the next put instead of committed: the change's second half (a create that may
     * carry an unchanged-TOAST placeholder) needs it in the same batch (see KeyMoves). A plain delete
     * is never held.
     */
    private List<SinkRecord> carried = List.of();
    /** The header Debezium puts on the delete of a primary key change (RelationalChangeRecordEmitter.PK_UPDATE_NEWKEY_FIELD). */
    static final String NEW_KEY_HEADER = "__debezium.newkey";

    @Override
    public String version() {
        return GreenlightSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new GreenlightSinkConfig(props);
        endpoints = SinkEndpoints.open(config, config.targetPoolSize());
        PipelineMeters meters = new PipelineMeters(new SimpleMeterRegistry(), lag);
        TablePauses pauses = new TablePauses(meters);
        BatchWriter writer = new BatchWriter(endpoints.dialect, endpoints.tables,
                new SchemaEvolution(endpoints.source, endpoints.dialect, true));
        OffsetStore offsets = new OffsetStore(endpoints.dialect);
        PoisonPolicy poison = new PoisonPolicy(config.onError(), deadLetterQueue(props), pauses, endpoints.target,
                writer, offsets);
        batches = new BatchApply(endpoints.target, writer, offsets, meters, lag, poison, config.retryFor());
        batches.fencedBy(new PartitionFence(batches.committed(), assigned));
        LOG.infof("Greenlight sink task started: %d table(s), %s target", endpoints.tables.size(), endpoints.dialect.name());
    }

    /**
     * Connect's dead letter queue, when configured (errors.deadletterqueue.topic.name with
     * errors.tolerance=all): a change the target cannot take is reported there, and the table goes on.
     */
    private Optional<DeadLetterSink> deadLetterQueue(Map<String, String> props) {
        String topic = props.get("errors.deadletterqueue.topic.name");
        ErrantRecordReporter reporter = context.errantRecordReporter();
        if (topic == null || topic.isBlank() || reporter == null) {
            return Optional.empty();
        }
        return Optional.of((change, error) -> {
            SinkRecord record = inFlight.get(change.topic() + "-" + change.partition() + "@" + change.offset());
            if (record == null) {
                throw new IllegalStateException("The record of " + change.coordinates() + " is not in the batch being written");
            }
            reporter.report(record, new ConnectException(error)).get(60, TimeUnit.SECONDS);
            LOG.errorf("DEAD-LETTERED a change the target cannot take; it is NOT applied, the table goes on "
                    + "(errors.deadletterqueue.topic.name=%s): %s", topic, error);
        });
    }

    /** Positions from the target's greenlight_offsets: Connect's consumer reads each partition from there. */
    @Override
    public void open(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            if (partition.partition() > 0) {
                throw new ConnectException("Topic " + partition.topic() + " has more than one partition: the Greenlight "
                        + "sink needs one partition per table topic (a TRUNCATE or DDL has a copy in every partition, "
                        + "which only one task may apply). Create the change topics with one partition "
                        + "(topic.creation.default.partitions=1 on the source connector); tasks scale over tables.");
            }
        }
        Map<TopicPartition, PartitionPosition> stored;
        try (Connection connection = endpoints.target.getConnection()) {
            stored = new OffsetStore(endpoints.dialect).load(connection);
        } catch (SQLException e) {
            throw new RetriableException("Reading greenlight_offsets from the target failed: " + e.getMessage(), e);
        }
        for (TopicPartition partition : partitions) {
            PartitionPosition position = stored.get(partition);
            if (!assigned.contains(partition)) {
                assigned.add(partition);
            }
            if (position != null) {
                batches.committed().put(partition, position);
                context.offset(partition, position.nextOffset());
                lag.resumed(partition, position.nextOffset(), position.sourceTsMs());
            } else {
                batches.committed().remove(partition);
                context.offset(partition, 0L); // nothing applied yet: from the topic's start
            }
        }
        LOG.infof("Greenlight sink task resumes %s from the target's greenlight_offsets", partitions);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
        carried = carried.stream().filter(r -> !partitions.contains(new TopicPartition(r.topic(), r.kafkaPartition()))).toList();
        partitions.forEach(batches.committed()::remove);
        holds.forget(partitions);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (records.isEmpty() && carried.isEmpty()) {
            return;
        }
        List<SinkRecord> input = new ArrayList<>(carried);
        input.addAll(records);
        Map<TopicPartition, PartitionPosition> committed = batches.committed();
        Map<TopicPartition, SourcePosition> watermarks = new HashMap<>();
        Map<TopicPartition, Long> commitTimes = new HashMap<>();
        List<Change> pending = new ArrayList<>();
        Map<TopicPartition, PartitionPosition> next = new HashMap<>();
        Map<Change, PartitionPosition> before = new java.util.IdentityHashMap<>();
        inFlight.clear();
        for (SinkRecord record : input) {
            TopicPartition partition = new TopicPartition(record.topic(), record.kafkaPartition());
            PartitionPosition at = committed.get(partition);
            if (holds.partition(partition) || at != null && record.kafkaOffset() < at.nextOffset()) {
                continue; // a held table's record fetched before the pause, or one the target holds already
            }
            Optional<Change> change = decoder.decodeForApply(consumerRecord(record));
            SourcePosition watermark = watermarks.computeIfAbsent(partition, p -> at != null ? at.watermark() : null);
            long commitTime = commitTimes.computeIfAbsent(partition, p -> at != null ? at.sourceTsMs() : Long.MIN_VALUE);
            if (change.isPresent()) {
                Change c = change.get();
                if (SourcePosition.replayed(c.position(), watermark)) {
                    replaysSkipped++;
                } else {
                    before.put(c, new PartitionPosition(record.kafkaOffset(), watermark, commitTime));
                    if (c.position() != null) {
                        watermark = c.position();
                        watermarks.put(partition, watermark);
                    }
                    commitTime = Math.max(commitTime, lag.commitTime(c.op() == ChangeOp.READ, c.sourceTsMs()));
                    commitTimes.put(partition, commitTime);
                    pending.add(c);
                    inFlight.put(c.topic() + "-" + c.partition() + "@" + c.offset(), record);
                }
            }
            next.put(partition, new PartitionPosition(record.kafkaOffset() + 1, watermark, commitTime));
        }
        List<SinkRecord> carry = List.of();
        if (!pending.isEmpty() && endsWithKeyChangeDelete(pending)
                && !wasCarried(pending.get(pending.size() - 1))) { // held back once at most: the next put writes it
            Change delete = pending.remove(pending.size() - 1);
            inFlight.remove(delete.topic() + "-" + delete.partition() + "@" + delete.offset());
            TopicPartition partition = new TopicPartition(delete.topic(), delete.partition());
            carry = input.stream().filter(r -> r.topic().equals(delete.topic()) && r.kafkaPartition() == delete.partition()
                    && r.kafkaOffset() >= delete.offset()).toList();
            next.put(partition, before.get(delete));
        }
        if (next.isEmpty()) {
            return;
        }
        try {
            batches.commit(pending, next, List.copyOf(assigned), holds);
            carried = carry;
        } catch (StaleLeaderException e) {
            throw new ConnectException("Another task wrote this task's partitions meanwhile (a rebalance moved them): "
                    + e.getMessage() + " Nothing of this batch was committed; Connect restarts the task from the target's record.", e);
        } catch (Exception e) {
            if (BatchApply.isTransient(e)) {
                context.timeout(1000);
                throw new RetriableException("Writing to the target failed for " + config.retryFor().toSeconds()
                        + " s; Connect hands the batch again: " + e.getMessage(), e);
            }
            throw new ConnectException("Greenlight sink stopped: " + e.getMessage()
                    + " Fix the cause, then restart the task; it resumes from the target's greenlight_offsets.", e);
        } finally {
            inFlight.clear();
        }
        if (replaysSkipped > 0) {
            LOG.infof("Skipped %d change(s) re-published by capture after a restart (already applied)", replaysSkipped);
            replaysSkipped = 0;
        }
    }

    /** Debezium marks the delete half of a primary key change with the new key in this header. */
    private boolean endsWithKeyChangeDelete(List<Change> pending) {
        Change last = pending.get(pending.size() - 1);
        SinkRecord record = inFlight.get(last.topic() + "-" + last.partition() + "@" + last.offset());
        return last.op() == ChangeOp.DELETE && record != null && record.headers().lastWithName(NEW_KEY_HEADER) != null;
    }

    private boolean wasCarried(Change change) {
        return carried.stream().anyMatch(r -> r.topic().equals(change.topic()) && r.kafkaPartition() == change.partition()
                && r.kafkaOffset() == change.offset());
    }

    /** Kafka commits for this task's partitions exactly what the target holds: never ahead of it. */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        Map<TopicPartition, OffsetAndMetadata> held = new HashMap<>();
        batches.committed().forEach((partition, position) -> {
            if (currentOffsets.containsKey(partition)) {
                held.put(partition, new OffsetAndMetadata(position.nextOffset()));
            }
        });
        return held;
    }

    @Override
    public void stop() {
        if (batches != null) {
            batches.close();
        }
        if (endpoints != null) {
            endpoints.close();
        }
    }

    /** Holds a table in this task: Connect stops handing its partitions, positioned to re-read the change at fault. */
    private List<TopicPartition> pausePartitions(TableId table, Map<TopicPartition, PartitionPosition> at) {
        List<TopicPartition> partitions = new ArrayList<>(at.keySet());
        partitions.retainAll(assigned);
        context.pause(partitions.toArray(TopicPartition[]::new));
        partitions.forEach(p -> context.offset(p, at.get(p) == null ? 0L : at.get(p).nextOffset()));
        LOG.errorf("Table %s is paused in this task at the change the target cannot take; restart the task "
                + "(POST /connectors/<name>/tasks/<id>/restart) after fixing the cause to retry it.", table);
        return partitions;
    }

    private static ConsumerRecord<byte[], byte[]> consumerRecord(SinkRecord record) {
        byte[] key = record.key() instanceof byte[] k ? k : null;
        Object value = record.value();
        if (value != null && !(value instanceof byte[])) {
            throw new ConnectException("The Greenlight sink reads the change envelopes as bytes, but "
                    + record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset() + " arrived as "
                    + value.getClass().getSimpleName() + ". Set value.converter and key.converter to "
                    + "org.apache.kafka.connect.converters.ByteArrayConverter in the connector's config.");
        }
        return new ConsumerRecord<>(record.topic(), record.kafkaPartition(), record.kafkaOffset(),
                record.timestamp() == null ? ConsumerRecord.NO_TIMESTAMP : record.timestamp(),
                record.timestampType() == null ? TimestampType.NO_TIMESTAMP_TYPE : record.timestampType(),
                key == null ? -1 : key.length, value == null ? -1 : ((byte[]) value).length, key, (byte[]) value,
                new RecordHeaders(), Optional.empty());
    }
}
