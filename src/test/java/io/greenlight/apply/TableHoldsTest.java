package io.greenlight.apply;

import io.greenlight.schema.TableId;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The held tables both apply runners keep the same way; only how a table's partitions are paused is theirs. */
class TableHoldsTest {

    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TopicPartition P0 = new TopicPartition("shop.public.orders", 0);
    private static final TopicPartition P1 = new TopicPartition("shop.public.orders", 1);

    private final List<Map<TopicPartition, PartitionPosition>> paused = new ArrayList<>();
    private final TableHolds holds = new TableHolds((table, at) -> {
        paused.add(at);
        return List.copyOf(at.keySet());
    });

    @Test
    void aHeldTableAndItsPartitionsAreHeldUntilReleasedAndTheRunnerPausedThemWhereAsked() {
        Map<TopicPartition, PartitionPosition> at = new HashMap<>();
        at.put(P0, new PartitionPosition(7, null, 0));
        at.put(P1, null);
        holds.hold(ORDERS, at);
        assertEquals(List.of(at), paused);
        assertTrue(holds.table(ORDERS));
        assertTrue(holds.partition(P0) && holds.partition(P1));
        assertEquals(Set.of(P0, P1), holds.partitions());
        assertEquals(Set.of(P0, P1), Set.copyOf(holds.release(ORDERS)));
        assertFalse(holds.table(ORDERS));
        assertFalse(holds.partition(P0));
        assertEquals(List.of(), holds.release(ORDERS), "releasing a table not held gives nothing");
    }

    @Test
    void partitionsTakenByARebalanceAreNoLongerHeldAndATableWithoutAnyIsNotHeld() {
        Map<TopicPartition, PartitionPosition> at = new HashMap<>();
        at.put(P0, null);
        at.put(P1, null);
        holds.hold(ORDERS, at);
        holds.forget(List.of(P0));
        assertFalse(holds.partition(P0));
        assertTrue(holds.partition(P1) && holds.table(ORDERS));
        holds.forget(List.of(P1));
        assertFalse(holds.table(ORDERS));
        assertEquals(Set.of(), holds.partitions());
    }
}
