package io.greenlight.apply;

import io.greenlight.schema.TableId;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The error apply stops with when Kafka no longer holds the change it must apply next: deleted by
 * the topic's retention while the table was paused or Greenlight was stopped, or the topic was
 * recreated empty (an embedded broker whose data-dir was lost). Names topic, partition, the lost
 * offsets and the remedy, which copies the table again.
 */
final class LostChanges {

    private LostChanges() {
    }

    /**
     * {@code needed}: the offset apply must read next per partition; {@code start} and {@code end}:
     * the first and next offset Kafka holds there now.
     */
    static String describe(Map<TopicPartition, Long> needed, Map<TopicPartition, Long> start, Map<TopicPartition, Long> end,
                           Function<String, Optional<TableId>> tableOfTopic) {
        List<String> parts = new ArrayList<>();
        List<String> remedies = new ArrayList<>();
        needed.forEach((partition, offset) -> {
            long first = start.getOrDefault(partition, -1L);
            long next = end.getOrDefault(partition, -1L);
            String table = tableOfTopic.apply(partition.topic()).map(TableId::toString).orElse("the table of " + partition.topic());
            if (offset < first) {
                parts.add("Kafka topic " + partition.topic() + " partition " + partition.partition() + " starts at offset "
                        + first + " but apply of " + table + " needs offset " + offset + " next: the changes at offsets "
                        + offset + ".." + (first - 1) + " were deleted (the topic's retention.ms, greenlight.kafka.retention) "
                        + "before they were applied, and " + table + " on the target lacks them");
            } else {
                parts.add("Kafka topic " + partition.topic() + " partition " + partition.partition() + " holds offsets "
                        + first + ".." + (next - 1) + " but the target's greenlight_offsets says apply of " + table
                        + " is at offset " + offset + ": the topic was deleted or recreated (an embedded broker whose "
                        + "data-dir was lost?), so changes published before are gone");
            }
            String remedy = "POST /tables/" + table + "/recopy";
            if (!remedies.contains(remedy)) {
                remedies.add(remedy);
            }
        });
        return String.join("; ", parts) + ". Nothing was skipped: apply stopped. Copy the table again (it is emptied "
                + "on the target, copied at a fresh snapshot, and its changes apply from there): " + String.join(", ", remedies)
                + ". Keep paused tables shorter than the retention, or raise greenlight.kafka.retention.";
    }
}
