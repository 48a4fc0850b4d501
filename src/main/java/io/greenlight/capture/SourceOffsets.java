package io.greenlight.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the source position the Debezium engine last committed to its Kafka offsets topic (or,
 * beside an embedded broker, its offsets file)
 * (key {@code ["<engine name>", {...}]}, value {@code {"lsn": .., "lsn_commit": .., ...}}).
 */
public final class SourceOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SourceOffsets() {
    }

    /** The highest LSN in the engine's last committed offset; empty when it never committed one. */
    public static Optional<Long> lastLsn(Consumer<byte[], byte[]> consumer, String topic, String engineName,
                                         Duration timeout) throws IOException {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            return Optional.empty();
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        boolean found = false;
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < ends.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IOException("Reading capture's offsets from Kafka topic " + topic + " took longer than " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.key() == null || !engineName.equals(JSON.readTree(record.key()).path(0).asText())) {
                    continue;
                }
                found = true;
                last = record.value() == null ? null : JSON.readTree(record.value());
            }
        }
        return found ? lsnOf(last) : Optional.empty();
    }

    /**
     * The same, from the file the engine keeps its offsets in beside an embedded broker (Kafka
     * Connect's FileOffsetBackingStore: a serialized map of JSON key bytes to JSON value bytes).
     */
    public static Optional<Long> lastLsn(Path file, String engineName) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Object stored;
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
            stored = in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("Capture's offsets file " + file + " is not in Kafka Connect's format", e);
        }
        if (!(stored instanceof Map<?, ?> entries)) {
            throw new IOException("Capture's offsets file " + file + " is not in Kafka Connect's format");
        }
        for (Map.Entry<?, ?> entry : entries.entrySet()) {
            if (entry.getKey() instanceof byte[] key && engineName.equals(JSON.readTree(key).path(0).asText())) {
                return entry.getValue() instanceof byte[] value ? lsnOf(JSON.readTree(value)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<Long> lsnOf(JsonNode offset) {
        if (offset == null) {
            return Optional.empty();
        }
        long max = 0;
        boolean any = false;
        for (String field : new String[]{"lsn", "lsn_commit", "lsn_proc"}) {
            JsonNode value = offset.get(field);
            if (value != null && value.canConvertToLong()) {
                any = true;
                max = Long.compareUnsigned(value.asLong(), max) > 0 ? value.asLong() : max;
            }
        }
        return any ? Optional.of(max) : Optional.empty();
    }
}
