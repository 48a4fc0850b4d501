package io.greenlight.apply;

import io.greenlight.dialect.LeaseSql;
import io.greenlight.leader.TargetEpoch;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.schema.ChangeOp;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fencing token at work in apply: an apply loop whose leader epoch is no longer the target's
 * current one (another instance took the lease over while it was paused) commits nothing, neither
 * rows nor offsets; its transaction is rolled back and it stops.
 */
class StaleLeaderApplyTest {

    private static final Schema TAG = SchemaBuilder.struct().field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("weight", Schema.OPTIONAL_INT32_SCHEMA).build();

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void anApplyLoopWhoseEpochWasTakenOverCommitsNothing(TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "stale_leader", 1,
                "CREATE TABLE tags (name text, weight int)", "ALTER TABLE tags REPLICA IDENTITY FULL")) {
            h.readTables("tags");
            TargetEpoch epochs = new TargetEpoch(h.target, LeaseSql.of(h.dialect), h.database);
            long old = 7;
            epochs.raise("old-leader", old);
            h.fence = epochs.fence(old, Duration.ofSeconds(30));
            h.publish(0, "tags", ChangeOp.CREATE, null, ApplyHarness.row(TAG, "before takeover", 1));
            h.start(100, Duration.ofMillis(50));
            try (Connection t = h.target()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> Sql.count(t, "tags") == 1);
            }

            long taken = old + 1;
            epochs.raise("new-leader", taken); // the standby took over
            h.publish(0, "tags", ChangeOp.CREATE, null, ApplyHarness.row(TAG, "after takeover", 2));

            try (Connection t = h.target()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> h.failure.get() != null || Sql.count(t, "tags") > 1);
                assertEquals(List.of(List.of("before takeover", "1")), Sql.rows(t, "SELECT name, weight FROM tags"),
                        "the stale leader's insert was rolled back");
                assertEquals(List.of(List.of(h.topic("tags"), "1")), Sql.rows(t, "SELECT topic, next_offset FROM greenlight_offsets"),
                        "its offsets were not moved either");
            }
            assertTrue(StaleLeaderException.in(h.failure.get()), "apply stops on the stale epoch: " + h.failure.get());
            assertTrue(h.failure.get().getMessage().contains("epoch " + old + " is stale")
                    && h.failure.get().getMessage().contains("new-leader took over with epoch " + taken), h.failure.get().getMessage());
        }
    }
}
