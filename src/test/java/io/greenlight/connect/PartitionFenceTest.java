package io.greenlight.connect;

import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PartitionPosition;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.MySqlDialect;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.testing.TargetEngine;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sink task's fence against the target's greenlight_offsets: a task whose partition another task
 * has written since (it lost the partition in a rebalance but still runs) commits nothing.
 */
class PartitionFenceTest {

    private static final TopicPartition ORDERS = new TopicPartition("shop.public.orders", 0);

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aTaskWhosePartitionAnotherTaskWroteSinceIsRefused(TargetEngine engine) throws Exception {
        try (Connection c = prepare(engine, "fence_moved")) {
            Map<TopicPartition, PartitionPosition> mine = new HashMap<>(Map.of(ORDERS, new PartitionPosition(10, null, 0)));
            save(engine, c, new PartitionPosition(25, null, 0)); // the partition's new owner committed up to 25
            c.setAutoCommit(false);
            StaleLeaderException e = assertThrows(StaleLeaderException.class,
                    () -> new PartitionFence(mine, List.of(ORDERS)).check(c));
            c.rollback();
            assertEquals("greenlight_offsets holds 25 as the next offset of shop.public.orders-0, this task committed 10 last.",
                    e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aTaskThatFindsWhatItCommittedLastWrites(TargetEngine engine) throws Exception {
        try (Connection c = prepare(engine, "fence_same")) {
            save(engine, c, new PartitionPosition(10, null, 0));
            c.setAutoCommit(false);
            assertDoesNotThrow(() -> new PartitionFence(Map.of(ORDERS, new PartitionPosition(10, null, 0)), List.of(ORDERS)).check(c));
            c.rollback();
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aTaskThatCommittedNothingIsRefusedWhenAnotherTaskDid(TargetEngine engine) throws Exception {
        try (Connection c = prepare(engine, "fence_first")) {
            save(engine, c, new PartitionPosition(3, null, 0));
            c.setAutoCommit(false);
            StaleLeaderException e = assertThrows(StaleLeaderException.class,
                    () -> new PartitionFence(new HashMap<>(), List.of(ORDERS)).check(c));
            c.rollback();
            assertTrue(e.getMessage().contains("this task committed null last"), e.getMessage());
        }
    }

    private static Connection prepare(TargetEngine engine, String name) throws Exception {
        String db = name + "_" + engine.name().toLowerCase();
        engine.createDatabase(db);
        Connection c = engine.connect(db);
        new OffsetStore(dialect(engine)).createTable(c);
        return c;
    }

    private static void save(TargetEngine engine, Connection c, PartitionPosition position) throws Exception {
        new OffsetStore(dialect(engine)).save(c, Map.of(ORDERS, position));
    }

    private static Dialect dialect(TargetEngine engine) {
        return engine == TargetEngine.POSTGRES ? new PostgresDialect() : new MySqlDialect();
    }
}
