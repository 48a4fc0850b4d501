package io.greenlight;

import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PartitionPosition;
import io.greenlight.capture.SlotGuard;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a bring-up resumes, checked against the slot: apply's positions stored on the target,
 * capture's stored source position, and (external Kafka) the change topics' partitions, created
 * before capture's position could be read.
 */
record StartPositions(OffsetStore offsets, Map<TopicPartition, PartitionPosition> applied,
                      Optional<SlotGuard.StoredProgress> captured, Optional<List<TopicPartition>> partitions) {

    StartPositions {
        applied = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(applied));
        partitions = partitions.map(List::copyOf);
    }

    /** An earlier run captured or applied something: a backfill resumes rather than starts over. */
    boolean resumed() {
        return captured.isPresent() || !applied.isEmpty();
    }
}
