package io.greenlight.apply;

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
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * No statement commits part of a batch behind apply's back: a TRUNCATE the target commits
 * implicitly (MySQL, MariaDB) and the DDL that follows a source schema change run in
 * transactions of their own, after the changes before them were committed with their offsets.
 * The symptom otherwise: when the batch is written again (here: without a change the target
 * refuses), keyless inserts double and a keyless delete removes a second identical row.
 */
class ApplyTransactionsTest {

    private static final String[] SOURCE = {
            "CREATE TABLE tags (name text, weight int)",
            "ALTER TABLE tags REPLICA IDENTITY FULL",
            "CREATE TABLE audit (id int PRIMARY KEY, message text)",
            "CREATE TABLE prices (id int PRIMARY KEY, amount numeric(10,2) NOT NULL)",
            "CREATE TABLE items (id int PRIMARY KEY, label text)"};
    private static final Schema TAG = SchemaBuilder.struct().field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("weight", Schema.OPTIONAL_INT32_SCHEMA).build();
    private static final Schema AUDIT = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("message", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema PRICE = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("amount", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema ITEM = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("label", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema ITEM_WITH_COLOR = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("label", Schema.OPTIONAL_STRING_SCHEMA).field("color", Schema.OPTIONAL_STRING_SCHEMA).build();

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aTruncateInTheBatchDoesNotMakeTheKeylessInsertBeforeItApplyTwice(TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "tx_truncate", 1, SOURCE)) {
            h.readTables("tags", "audit", "prices", "items");
            try (Connection t = h.target()) {
                Sql.exec(t, "INSERT INTO audit VALUES (1, 'old'), (2, 'old')");
            }
            // One batch, in this order: the keyless insert, the truncate of another table, a change the target refuses.
            h.publish(0, "tags", ChangeOp.CREATE, null, ApplyHarness.row(TAG, "x", 1));
            h.start(100, Duration.ofSeconds(5));
            h.awaitRead("tags");
            h.publish(0, "audit", ChangeOp.TRUNCATE, null, null);
            h.publish(0, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, 10, "after truncate"));
            h.publish(0, "prices", ChangeOp.CREATE, null, ApplyHarness.row(PRICE, 1, null)); // NOT NULL on the target
            awaitPaused(h, "prices");
            try (Connection t = h.target()) {
                assertEquals(List.of(List.of("x", "1")), Sql.rows(t, "SELECT name, weight FROM tags"));
                assertEquals(List.of(List.of("10", "after truncate")), Sql.rows(t, "SELECT id, message FROM audit ORDER BY id"));
                assertEquals(List.of(List.of(h.topic("audit"), "2"), List.of(h.topic("tags"), "1")),
                        Sql.rows(t, "SELECT topic, next_offset FROM greenlight_offsets ORDER BY topic"),
                        "each table's position is after its last change applied; none is stored past the refused change");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void schemaEvolutionInTheBatchDoesNotMakeTheKeylessDeleteBeforeItRemoveASecondRow(TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "tx_ddl", 1, SOURCE)) {
            h.readTables("tags", "audit", "prices", "items");
            try (Connection t = h.target(); Connection s = h.source()) {
                Sql.exec(t, "INSERT INTO tags VALUES ('dup', 1), ('dup', 1)");
                Sql.exec(s, "ALTER TABLE items ADD COLUMN color text");
            }
            // One batch: the keyless delete, then a change that needs DDL, then a change the target refuses.
            h.publish(0, "tags", ChangeOp.DELETE, ApplyHarness.row(TAG, "dup", 1), null);
            h.start(100, Duration.ofSeconds(5));
            h.awaitRead("tags");
            h.publish(0, "items", ChangeOp.CREATE, null, ApplyHarness.row(ITEM, 1, "a"));
            h.publish(0, "items", ChangeOp.CREATE, null, ApplyHarness.row(ITEM_WITH_COLOR, 2, "b", "red"));
            h.publish(0, "prices", ChangeOp.CREATE, null, ApplyHarness.row(PRICE, 1, null));
            awaitPaused(h, "prices");
            try (Connection t = h.target()) {
                assertEquals(List.of(List.of("dup", "1")), Sql.rows(t, "SELECT name, weight FROM tags"));
                assertEquals(List.of(java.util.Arrays.asList("1", "a", null), List.of("2", "b", "red")),
                        Sql.rows(t, "SELECT id, label, color FROM items ORDER BY id"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aTruncateOverSeveralPartitionsIsAppliedAfterEveryEarlierChangeOfItsTableAndBeforeEveryLaterOne(TargetEngine engine)
            throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "tx_partitions", 2, SOURCE)) {
            h.readTables("audit");
            // Capture publishes a truncate to every partition, each copy after that partition's earlier changes.
            h.publish(0, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, 1, "before"));
            h.publish(1, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, 2, "before"));
            h.publishTruncate(List.of(0, 1), "audit");
            h.publish(0, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, 3, "after"));
            h.publish(1, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, 4, "after"));
            h.start(100, Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertNull(h.failure.get());
                try (Connection t = h.target()) {
                    assertEquals(List.of(List.of("3", "after"), List.of("4", "after")),
                            Sql.rows(t, "SELECT id, message FROM audit ORDER BY id"));
                }
            });
            h.publish(1, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, 5, "later"));
            h.publishTruncate(List.of(0, 1), "audit");
            h.publish(0, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, 6, "last"));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                try (Connection t = h.target()) {
                    assertEquals(List.of(List.of("6", "last")), Sql.rows(t, "SELECT id, message FROM audit ORDER BY id"));
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(value = TargetEngine.class, names = "MARIADB")
    void applyClosedBeforeItRanClosesItsKafkaConsumer(TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "tx_unstarted", 1, SOURCE)) {
            h.readTables("audit");
            ApplyLoop loop = h.build(100, Duration.ofMillis(100)); // the pipeline builds apply, then backfills
            assertEquals(true, h.consumerOpen());
            loop.close(); // a stop during the backfill
            assertEquals(false, h.consumerOpen(), "the consumer of an apply that never ran is closed, not leaked");
            loop.run(); // a start that lost the race with the stop does nothing
            assertNull(h.failure.get());
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aBatchStillWaitingOnARowLockWhenApplyIsClosedIsRolledBackNotCommittedOnceTheLockGoes(TargetEngine engine)
            throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "tx_closed", 1, SOURCE)) {
            h.readTables("audit");
            try (Connection t = h.target()) {
                Sql.exec(t, "INSERT INTO audit VALUES (1, 'old')");
            }
            try (Connection lock = h.target()) {
                lock.setAutoCommit(false);
                Sql.rows(lock, "SELECT id FROM audit WHERE id = 1 FOR UPDATE");
                h.publish(0, "audit", ChangeOp.UPDATE, ApplyHarness.row(AUDIT, 1, "old"), ApplyHarness.row(AUDIT, 1, "new"));
                h.start(100, Duration.ofMillis(50));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> waitingOnALock(h, engine));
                h.closeWithoutWaiting(); // a stop whose wait for apply runs out while apply waits on the lock
                assertEquals(false, h.ended(Duration.ofSeconds(1)), "apply still waits on the row lock");
                lock.rollback();
            }
            assertEquals(true, h.ended(Duration.ofSeconds(60)));
            try (Connection t = h.target()) {
                assertEquals(List.of(List.of("1", "old")), Sql.rows(t, "SELECT id, message FROM audit"),
                        "a closed apply commits nothing once it gets the lock");
                assertEquals(List.of(), Sql.rows(t, "SELECT topic FROM greenlight_offsets"));
            }
            assertNull(h.failure.get(), "closing is not a failure");
        }
    }

    private static boolean waitingOnALock(ApplyHarness h, TargetEngine engine) throws Exception {
        String waiting = engine == TargetEngine.MARIADB
                ? "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'"
                : "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()";
        try (Connection t = h.target()) {
            return !Sql.rows(t, waiting).get(0).get(0).equals("0");
        }
    }

    private static void awaitPaused(ApplyHarness h, String table) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    assertNull(h.failure.get(), () -> "apply failed: " + h.failure.get());
                    assertEquals(true, h.pauses.isPaused(new TableId("public", table)));
                });
    }
}
