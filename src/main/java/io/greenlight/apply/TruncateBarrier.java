package io.greenlight.apply;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A TRUNCATE of a table whose topic has several partitions is published to every partition
 * (ChangePublisher). Each copy comes after that partition's earlier changes of the table; once
 * apply has read the copy from every partition it has read every earlier change, and applies the
 * truncate once, before anything after it. A partition whose copy arrived waits (paused) meanwhile.
 */
final class TruncateBarrier {

    /** Copies read so far, per topic, by partition. */
    private final Map<String, Map<TopicPartition, Change>> arrived = new HashMap<>();

    /** True while the partition's copy was read and the others' are awaited: read nothing after it. */
    boolean waiting(TopicPartition partition) {
        Map<TopicPartition, Change> copies = arrived.get(partition.topic());
        return copies != null && copies.containsKey(partition);
    }

    /** Records a copy; returns every copy once the last of {@code partitions} arrived. */
    Optional<Map<TopicPartition, Change>> arrive(TopicPartition partition, Change copy, int partitions) {
        Map<TopicPartition, Change> copies = arrived.computeIfAbsent(partition.topic(), t -> new LinkedHashMap<>());
        copies.putIfAbsent(partition, copy);
        if (copies.size() < partitions) {
            return Optional.empty();
        }
        arrived.remove(partition.topic());
        return Optional.of(copies);
    }

    /** Apply restarts reading: copies read before are read again. */
    void clear() {
        arrived.clear();
    }
}
