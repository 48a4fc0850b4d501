package io.greenlight.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.ChangeOp;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Publishes each engine batch to Kafka as JSON with schema, keyed by primary key, and only then
 * tells the engine the batch is processed: a source offset is never committed ahead of Kafka.
 */
public final class ChangePublisher implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {

    private final Producer<byte[], byte[]> producer;
    private final PipelineMeters meters;
    private final LagTracker lag;
    private final EnvelopeEncoder keys = new EnvelopeEncoder(true);
    private final EnvelopeEncoder values = new EnvelopeEncoder(false);

    private final Runnable afterBatch;
    private final DdlRouting ddl;

    public ChangePublisher(Producer<byte[], byte[]> producer, PipelineMeters meters, LagTracker lag) {
        this(producer, meters, lag, () -> { }, DdlRouting.none());
    }

    /**
     * {@code afterBatch} runs after each batch Kafka acknowledged (the pipeline's phase follows capture);
     * {@code ddl} routes the source's DDL messages into the topics of the tables they change.
     */
    public ChangePublisher(Producer<byte[], byte[]> producer, PipelineMeters meters, LagTracker lag, Runnable afterBatch,
                           DdlRouting ddl) {
        this.producer = producer;
        this.meters = meters;
        this.lag = lag;
        this.afterBatch = afterBatch;
        this.ddl = ddl;
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> events,
                            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sends = new ArrayList<>(events.size());
        List<Long> commitTimes = new ArrayList<>(events.size());
        Map<String, Long> counts = new HashMap<>();
        long newestCommitTs = Long.MIN_VALUE;
        String marker = null;
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            SourceRecord record = event.value();
            if (DdlRouting.isDdlMessage(record)) {
                long at = lag.commitTime(false, ((Struct) record.value()).getStruct("source").getInt64("ts_ms"));
                // Like a truncate: one copy to every partition of the table's topic, after that partition's earlier
                // changes of the table; apply applies it once it read them all, before anything after it.
                for (DdlRouting.Route route : ddl.route(record).stream().toList()) {
                    byte[] value = values.encode(route.topic(), record.valueSchema(), route.value());
                    for (PartitionInfo partition : producer.partitionsFor(route.topic())) {
                        sends.add(producer.send(new ProducerRecord<>(route.topic(), partition.partition(), null, value)));
                        commitTimes.add(at);
                    }
                }
                continue;
            }
            byte[] key = record.key() == null ? null
                    : keys.encode(record.topic(), record.keySchema(), record.key());
            byte[] value = record.value() == null ? null
                    : values.encode(record.topic(), record.valueSchema(), record.value());
            long commitTime = record.value() instanceof Struct envelope && envelope.schema().field("source") != null
                    ? lag.commitTime(isRead(envelope), envelope.getStruct("source").getInt64("ts_ms")) : Long.MIN_VALUE;
            if (isTruncate(record)) {
                // No key, so no partition of its own: one copy to every partition, each after that partition's
                // earlier changes of the table; apply applies it once it read them all (TruncateBarrier).
                for (PartitionInfo partition : producer.partitionsFor(record.topic())) {
                    sends.add(producer.send(new ProducerRecord<>(record.topic(), partition.partition(), key, value)));
                    commitTimes.add(commitTime);
                }
            } else if (key == null) {
                // A table without a key (REPLICA IDENTITY FULL): its changes have no partition of their own. All go to
                // partition 0, so that they stay in order (the producer's partitioner would spread them).
                sends.add(producer.send(new ProducerRecord<>(record.topic(), 0, null, value)));
                commitTimes.add(commitTime);
            } else {
                sends.add(producer.send(new ProducerRecord<>(record.topic(), key, value)));
                commitTimes.add(commitTime);
            }
            countable(record, counts);
            if (record.value() instanceof Struct envelope && envelope.schema().field("source") != null) {
                Struct source = envelope.getStruct("source");
                newestCommitTs = Math.max(newestCommitTs, commitTime);
                marker = markerOf(envelope, source, marker);
            }
        }
        Map<TopicPartition, Long> lastOffsets = new HashMap<>();
        Map<TopicPartition, Long> oldestCommits = new HashMap<>();
        for (int i = 0; i < sends.size(); i++) {
            try {
                RecordMetadata metadata = sends.get(i).get();
                TopicPartition partition = new TopicPartition(metadata.topic(), metadata.partition());
                lastOffsets.merge(partition, metadata.offset(), Math::max);
                if (commitTimes.get(i) != Long.MIN_VALUE) {
                    oldestCommits.merge(partition, commitTimes.get(i), Math::min);
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("Publishing a change to Kafka failed: " + e.getCause().getMessage()
                        + ". Capture stops without committing its source position, so nothing is lost.", e.getCause());
            }
        }
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        lag.published(newestCommitTs, lastOffsets, oldestCommits);
        if (marker != null) {
            lag.markerPublished(marker);
        }
        counts.forEach((k, n) -> {
            int sep = k.indexOf('\u0000');
            meters.captured(k.substring(0, sep), k.substring(sep + 1), n);
        });
        afterBatch.run();
    }

    private static boolean isRead(Struct envelope) {
        return envelope.schema().field("op") != null && ChangeOp.of(envelope.getString("op")) == ChangeOp.READ;
    }

    private static boolean isTruncate(SourceRecord record) {
        return record.value() instanceof Struct value && value.schema().field("op") != null
                && ChangeOp.of(value.getString("op")) == ChangeOp.TRUNCATE;
    }

    /** Change records carry an op and their table in the source block; heartbeats do not. */
    private static void countable(SourceRecord record, Map<String, Long> counts) {
        if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
            return;
        }
        Struct source = value.getStruct("source");
        String table = source.getString("schema") + "." + source.getString("table");
        counts.merge(table + '\u0000' + ChangeOp.of(value.getString("op")).label(), 1L, Long::sum);
    }

    /** A heartbeat row carrying a cutover marker (see HeartbeatWriter#beat). */
    private static String markerOf(Struct value, Struct source, String current) {
        if (!HeartbeatTable.SOURCE.is(source.getString("schema"), source.getString("table"))
                || value.schema().field("after") == null || value.getStruct("after") == null) {
            return current;
        }
        String marker = value.getStruct("after").getString("marker");
        return marker != null ? marker : current;
    }
}
