package io.greenlight.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the source position the Debezium engine last committed to its Kafka offsets topic
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
        if (!found || last == null) {
            return Optional.empty();
        }
        long max = 0;
        boolean any = false;
        for (String field : new String[]{"lsn", "lsn_commit", "lsn_proc"}) {
            JsonNode value = last.get(field);
            if (value != null && value.canConvertToLong()) {
                any = true;
                max = Long.compareUnsigned(value.asLong(), max) > 0 ? value.asLong() : max;
            }
        }
        return any ? Optional.of(max) : Optional.empty();
    }
}
