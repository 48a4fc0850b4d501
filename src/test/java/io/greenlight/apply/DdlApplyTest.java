package io.greenlight.apply;

import io.greenlight.config.GreenlightConfig.Schema.DroppedColumns;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Source DDL met in a table's stream, applied by a real apply loop to a real target from a real Kafka
 * topic, the events published as capture publishes them: where a DDL lands among the changes of a table
 * spread over several partitions, and what the target does with a dropped column per
 * greenlight.schema.dropped-columns.
 */
class DdlApplyTest {

    private static final String[] SOURCE = {
            "CREATE TABLE spread (id int PRIMARY KEY, a text)",
            "CREATE TABLE kept (id int PRIMARY KEY, n int NOT NULL, gone text NOT NULL)"};
    private static final Schema SPREAD_A = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("a", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema SPREAD_B = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("b", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema SPREAD_AC = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("a", Schema.OPTIONAL_STRING_SCHEMA).field("c", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema KEPT = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("n", Schema.INT32_SCHEMA).field("gone", Schema.STRING_SCHEMA).build();
    private static final Schema KEPT_AFTER = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("n", Schema.INT32_SCHEMA).build();

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aDdlOverSeveralPartitionsIsAppliedAfterEveryEarlierChangeOfItsTableAndBeforeEveryLaterOne(TargetEngine engine)
            throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "ddl_partitions", 2, SOURCE)) {
            h.ddlInStream = true;
            h.readTables("spread");
            // Written under the old name on both partitions, then the rename's copy on each, then the new name on both:
            // the rename applied before partition 1's earlier change (or after a later one) makes the target refuse it.
            h.publish(0, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_A, 1, "before"));
            h.publish(1, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_A, 2, "before"));
            h.publish(1, "spread", ChangeOp.UPDATE, ApplyHarness.row(SPREAD_A, 2, "before"), ApplyHarness.row(SPREAD_A, 2, "before, again"));
            h.publishDdl(List.of(0, 1), "spread", "ALTER TABLE", "ALTER TABLE spread RENAME COLUMN a TO b");
            h.publish(1, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_B, 3, "after"));
            h.publish(0, "spread", ChangeOp.UPDATE, ApplyHarness.row(SPREAD_B, 1, "before"), ApplyHarness.row(SPREAD_B, 1, "after"));
            h.start(100, Duration.ofMillis(200));
            awaitRows(h, "SELECT id, b FROM spread ORDER BY id",
                    List.of(List.of("1", "after"), List.of("2", "before, again"), List.of("3", "after")));
            // partition 1 reaches the next statement long before partition 0 does: it waits there
            h.publish(1, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_B, 4, "waits"));
            byte[] rename = h.ddl("spread", "ALTER TABLE", "ALTER TABLE spread RENAME COLUMN b TO c");
            h.publishMessage(List.of(1), "spread", rename);
            h.publish(1, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_C, 5, "later"));
            awaitRows(h, "SELECT id, b FROM spread ORDER BY id", List.of(List.of("1", "after"), List.of("2", "before, again"),
                    List.of("3", "after"), List.of("4", "waits")));
            h.publish(0, "spread", ChangeOp.UPDATE, ApplyHarness.row(SPREAD_B, 1, "after"), ApplyHarness.row(SPREAD_B, 1, "last under b"));
            h.publishMessage(List.of(0), "spread", rename);
            awaitRows(h, "SELECT id, c FROM spread ORDER BY id", List.of(List.of("1", "last under b"),
                    List.of("2", "before, again"), List.of("3", "after"), List.of("4", "waits"), List.of("5", "later")));
            assertEquals(false, h.pauses.isPaused(new TableId("public", "spread")));
        }
    }

    private static final Schema SPREAD_C = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("c", Schema.OPTIONAL_STRING_SCHEMA).build();

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aColumnTheSourceDroppedStaysOnTheTargetWithItsValuesWhenDroppedColumnsIsKeep(TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "ddl_keep", 1, SOURCE)) {
            h.ddlInStream = true;
            h.droppedColumns = DroppedColumns.KEEP;
            h.readTables("kept");
            h.publish(0, "kept", ChangeOp.CREATE, null, ApplyHarness.row(KEPT, 1, 0, "g1"));
            h.publishDdl(List.of(0), "kept", "ALTER TABLE", "ALTER TABLE kept DROP COLUMN gone");
            h.publish(0, "kept", ChangeOp.CREATE, null, ApplyHarness.row(KEPT_AFTER, 2, 0));
            h.publish(0, "kept", ChangeOp.UPDATE, ApplyHarness.row(KEPT_AFTER, 1, 0), ApplyHarness.row(KEPT_AFTER, 1, 5));
            h.start(100, Duration.ofMillis(200));
            awaitRows(h, "SELECT id, n, gone FROM kept ORDER BY id", List.of(List.of("1", "5", "g1"), Arrays.asList("2", "0", null)));
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aDropColumnMetAgainAfterTheTargetDroppedItIsNotRunTwice(TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "ddl_drop_again", 1, SOURCE)) {
            h.ddlInStream = true;
            h.readTables("kept");
            h.publish(0, "kept", ChangeOp.CREATE, null, ApplyHarness.row(KEPT, 1, 0, "g1"));
            h.publishDdl(List.of(0), "kept", "ALTER TABLE", "ALTER TABLE kept DROP COLUMN gone");
            h.publish(0, "kept", ChangeOp.CREATE, null, ApplyHarness.row(KEPT_AFTER, 2, 0));
            h.start(100, Duration.ofMillis(200));
            awaitRows(h, "SELECT id, n FROM kept ORDER BY id", List.of(List.of("1", "0"), List.of("2", "0")));
            assertEquals(List.of(List.of("2")), columnCount(h), "the target dropped the column");
            // A restart that reads the statement again with the model from before it (on MySQL the DROP COLUMN commits
            // before the offsets and the recorded model: a crash in between)
            h.stop();
            try (Connection t = h.target()) {
                Sql.exec(t, "UPDATE greenlight_offsets SET next_offset = 1"); // the DROP COLUMN's message
            }
            h.publish(0, "kept", ChangeOp.UPDATE, ApplyHarness.row(KEPT_AFTER, 2, 0), ApplyHarness.row(KEPT_AFTER, 2, 7));
            h.start(100, Duration.ofMillis(200));
            awaitRows(h, "SELECT id, n FROM kept ORDER BY id", List.of(List.of("1", "0"), List.of("2", "7")));
            assertEquals(false, h.pauses.isPaused(new TableId("public", "kept")));
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aRenameColumnMetAgainAfterTheTargetRenamedItIsNotRunTwice(TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "ddl_rename_again", 1, SOURCE)) {
            h.ddlInStream = true;
            h.readTables("spread");
            h.publish(0, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_A, 1, "a1"));
            h.publishDdl(List.of(0), "spread", "ALTER TABLE", "ALTER TABLE spread RENAME COLUMN a TO b");
            h.publish(0, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_B, 2, "b2"));
            h.start(100, Duration.ofMillis(200));
            awaitRows(h, "SELECT id, b FROM spread ORDER BY id", List.of(List.of("1", "a1"), List.of("2", "b2")));
            replayFromTheDdl(h);
            h.publish(0, "spread", ChangeOp.UPDATE, ApplyHarness.row(SPREAD_B, 2, "b2"), ApplyHarness.row(SPREAD_B, 2, "b3"));
            h.start(100, Duration.ofMillis(200));
            awaitRows(h, "SELECT id, b FROM spread ORDER BY id", List.of(List.of("1", "a1"), List.of("2", "b3")));
            assertEquals(false, h.pauses.isPaused(new TableId("public", "spread")));
            assertEquals(List.of("id", "b"), columns(h, "spread"), "renamed once, nothing added");
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void anAddColumnMetAgainAfterTheTargetAddedItIsNotRunTwice(TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "ddl_add_again", 1, SOURCE)) {
            h.ddlInStream = true;
            h.readTables("spread");
            h.publish(0, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_A, 1, "a1"));
            h.publishDdl(List.of(0), "spread", "ALTER TABLE", "ALTER TABLE spread ADD COLUMN c text DEFAULT 'x'");
            h.publish(0, "spread", ChangeOp.CREATE, null, ApplyHarness.row(SPREAD_AC, 2, "a2", "c2"));
            h.start(100, Duration.ofMillis(200));
            awaitRows(h, "SELECT id, a, c FROM spread ORDER BY id", List.of(List.of("1", "a1", "x"), List.of("2", "a2", "c2")));
            replayFromTheDdl(h);
            h.publish(0, "spread", ChangeOp.UPDATE, ApplyHarness.row(SPREAD_AC, 2, "a2", "c2"),
                    ApplyHarness.row(SPREAD_AC, 2, "a2", "c3"));
            h.start(100, Duration.ofMillis(200));
            awaitRows(h, "SELECT id, a, c FROM spread ORDER BY id", List.of(List.of("1", "a1", "x"), List.of("2", "a2", "c3")));
            assertEquals(false, h.pauses.isPaused(new TableId("public", "spread")));
            assertEquals(List.of("id", "a", "c"), columns(h, "spread"), "added once");
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void anAddColumnOfANameTheTargetKeptAfterADropStopsTheTableAndDroppingTheKeptColumnThenResumingAddsItAfresh(
            TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "ddl_keep_readd", 1, SOURCE)) {
            h.ddlInStream = true;
            h.droppedColumns = DroppedColumns.KEEP;
            h.readTables("kept");
            h.publish(0, "kept", ChangeOp.CREATE, null, ApplyHarness.row(KEPT, 1, 0, "old value"));
            h.publishDdl(List.of(0), "kept", "ALTER TABLE", "ALTER TABLE kept DROP COLUMN gone");
            h.publishDdl(List.of(0), "kept", "ALTER TABLE", "ALTER TABLE kept ADD COLUMN gone text");
            h.publish(0, "kept", ChangeOp.CREATE, null, ApplyHarness.row(KEPT_READDED, 2, 0, "new value"));
            h.start(100, Duration.ofMillis(200));
            TableId kept = new TableId("public", "kept");
            await().atMost(Duration.ofSeconds(90)).until(() -> h.pauses.isPaused(kept));
            String error = h.pauses.get(kept).orElseThrow().error();
            assertTrue(error.contains("gone"), error);
            assertTrue(error.contains("/resume"), "the stop names the remedy: " + error);

            try (Connection t = h.target()) {
                Sql.exec(t, "ALTER TABLE kept DROP COLUMN gone"); // the remedy: drop the kept column, then resume
            }
            h.pauses.requestResume(kept);
            awaitRows(h, "SELECT id, n, gone FROM kept ORDER BY id",
                    List.of(Arrays.asList("1", "0", null), List.of("2", "0", "new value")));
        }
    }

    private static final Schema KEPT_READDED = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("n", Schema.INT32_SCHEMA).field("gone", Schema.OPTIONAL_STRING_SCHEMA).build();

    /**
     * A restart that reads the table's DDL message (offset 1) again with the model from before it: on
     * MySQL/MariaDB the DDL commits implicitly before the offsets and the recorded model, and a crash
     * in between leaves the target altered with its record from before. (The harness starts from the
     * catalog's model as read before the DDL.)
     */
    private static void replayFromTheDdl(ApplyHarness h) throws Exception {
        h.stop();
        try (Connection t = h.target()) {
            Sql.exec(t, "UPDATE greenlight_offsets SET next_offset = 1");
        }
    }

    private static List<String> columns(ApplyHarness h, String table) throws Exception {
        try (Connection t = h.target()) {
            return Sql.rows(t, "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = "
                    + (h.engine == TargetEngine.POSTGRES ? "current_schema()" : "DATABASE()") + " ORDER BY ordinal_position",
                    table).stream().map(r -> r.get(0)).toList();
        }
    }

    private static List<List<String>> columnCount(ApplyHarness h) throws Exception {
        try (Connection t = h.target()) {
            return Sql.rows(t, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'kept' AND table_schema = "
                    + (h.engine == TargetEngine.POSTGRES ? "current_schema()" : "DATABASE()"));
        }
    }

    private static void awaitRows(ApplyHarness h, String query, List<List<String>> expected) {
        // ignoring SQL errors of the query: it names columns the target has only once the DDL is applied
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .failFast("a table paused", () -> assertEquals(List.of(), h.pauses.all().stream()
                        .map(p -> p.table() + ": " + p.error()).toList()))
                .ignoreExceptionsInstanceOf(java.sql.SQLException.class).untilAsserted(() -> {
            assertNull(h.failure.get(), () -> "apply failed: " + h.failure.get());
            for (TableId table : List.of(new TableId("public", "spread"), new TableId("public", "kept"))) {
                assertEquals(false, h.pauses.isPaused(table), () -> table + " paused: " + h.pauses);
            }
            try (Connection t = h.target()) {
                assertEquals(expected, Sql.rows(t, query));
            }
        });
    }
}
