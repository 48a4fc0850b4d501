package io.greenlight.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The position Kafka Connect committed for the Debezium PostgreSQL source connector, read from the
 * workers' offsets topic (offset.storage.topic): key {@code ["<connector>",{"server":"<topic.prefix>"}]},
 * value Debezium's offset ({@code lsn}, and {@code snapshot} while the initial snapshot runs).
 *
 * <p>Connect commits a source offset only once every record the task produced before it is
 * acknowledged by Kafka: a committed {@code lsn} past a source WAL position means every change
 * committed on the source before that position is in Kafka.
 */
final class ConnectSourceOffsets implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A committed source offset: the LSN of the last change covered, and whether the initial snapshot still runs. */
    record Committed(long lsn, boolean snapshot) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String connector;
    private final String server;
    private boolean assigned;
    private volatile Committed latest;

    ConnectSourceOffsets(KafkaConsumer<byte[], byte[]> consumer, String topic, String connector, String server) {
        this.consumer = consumer;
        this.topic = topic;
        this.connector = connector;
        this.server = server;
    }

    /** Reads what was committed since the last call; the latest committed offset, if there is one yet. */
    synchronized Optional<Committed> poll(Duration wait) {
        if (!assigned) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (partitions == null || partitions.isEmpty()) {
                return Optional.empty(); // the Connect cluster has not created it yet
            }
            List<TopicPartition> all = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            assigned = true;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
            if (matches(record.key(), connector, server)) {
                latest = record.value() == null ? null : parse(record.value()).orElse(latest);
            }
        }
        return Optional.ofNullable(latest);
    }

    /** Whether an offsets-topic key belongs to {@code connector}'s partition for {@code server} (its topic.prefix). */
    static boolean matches(byte[] key, String connector, String server) {
        if (key == null) {
            return false;
        }
        try {
            JsonNode k = JSON.readTree(key);
            return k.isArray() && k.size() == 2 && connector.equals(k.get(0).asText())
                    && server.equals(k.get(1).path("server").asText(null));
        } catch (Exception e) {
            return false;
        }
    }

    /** Debezium PostgreSQL's offset; empty when it carries no LSN. */
    static Optional<Committed> parse(byte[] value) {
        try {
            JsonNode v = JSON.readTree(value);
            JsonNode lsn = v.path("lsn");
            if (!lsn.canConvertToLong()) {
                return Optional.empty();
            }
            JsonNode snapshot = v.path("snapshot");
            boolean snapshotting = !snapshot.isMissingNode() && !snapshot.isNull() && !"false".equalsIgnoreCase(snapshot.asText())
                    && !v.path("last_snapshot_record").asBoolean(false);
            return Optional.of(new Committed(lsn.asLong(), snapshotting));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
