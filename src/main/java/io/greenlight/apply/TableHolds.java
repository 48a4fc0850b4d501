package io.greenlight.apply;

import io.greenlight.schema.TableId;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tables an apply runner holds (paused at a change the target cannot take, or by the backfill)
 * with their partitions: what {@link BatchApply} leaves out of a batch. Both runners keep them the
 * same way; only how a table's partitions stop being read differs (the embedded {@link ApplyLoop}
 * pauses its Kafka consumer, a Kafka Connect task asks its context), and that is passed in.
 */
public final class TableHolds {

    /** Stops reading a table's partitions, to be read again from {@code at} (null: from the beginning). */
    @FunctionalInterface
    public interface Pause {
        /** Returns the partitions now held (those of {@code at} this runner reads). */
        List<TopicPartition> pause(TableId table, Map<TopicPartition, PartitionPosition> at);
    }

    private final Map<TableId, List<TopicPartition>> held = new HashMap<>();
    private final Pause pause;

    public TableHolds(Pause pause) {
        this.pause = pause;
    }

    public boolean table(TableId table) {
        return held.containsKey(table);
    }

    public boolean partition(TopicPartition partition) {
        for (List<TopicPartition> partitions : held.values()) {
            if (partitions.contains(partition)) {
                return true;
            }
        }
        return false;
    }

    /** Holds the table: its partitions are paused where {@code at} says and stay so until {@link #release}. */
    public void hold(TableId table, Map<TopicPartition, PartitionPosition> at) {
        held.put(table, List.copyOf(pause.pause(table, at)));
    }

    /** Lets go of the table; returns the partitions it held (empty when it was not held). */
    public List<TopicPartition> release(TableId table) {
        List<TopicPartition> partitions = held.remove(table);
        return partitions == null ? List.of() : partitions;
    }

    /** The partitions are no longer this runner's (a Connect rebalance took them): none of them is held here. */
    public void forget(Collection<TopicPartition> partitions) {
        held.replaceAll((table, list) -> list.stream().filter(p -> !partitions.contains(p)).toList());
        held.values().removeIf(List::isEmpty);
    }

    /** Every partition held. */
    public Set<TopicPartition> partitions() {
        Set<TopicPartition> all = new HashSet<>();
        held.values().forEach(all::addAll);
        return all;
    }
}
