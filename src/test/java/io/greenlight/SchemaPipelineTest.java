package io.greenlight;

import io.greenlight.testing.Pipelines;
import io.greenlight.testing.SchemaTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tables of a real database that PostgreSQL accepts and a target could mistake: keyed by a replica
 * identity index, wider than MySQL's row limit, text keys equal under MySQL's default collations,
 * a serial key 0, partitions. Each arrives by backfill and follows streamed changes; the last test
 * verifies every table through POST /verify. Run against each target engine by
 * {@link SchemaPipelineMariaDbTest} and {@link SchemaPipelinePostgresTest}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class SchemaPipelineTest {

    private final TestServers servers = TestServers.get();

    protected abstract TargetEngine engine();

    protected abstract String database();

    @BeforeEach
    void pipelineIsStreaming() {
        Pipelines.awaitStreaming();
    }

    @Test
    void tableKeyedByItsReplicaIdentityIndexFollowsUpdatesDeletesAndKeyChanges() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source,
                    "UPDATE ri_index SET qty = 10, note = NULL WHERE region = 1 AND code = 'a'",
                    "DELETE FROM ri_index WHERE region = 1 AND code = 'b'",
                    "UPDATE ri_index SET code = 'moved' WHERE region = 2 AND code = 'a'",
                    "INSERT INTO ri_index VALUES ('b', 1, 20, 'again'), ('d', 4, 5, 'new')",
                    "UPDATE ri_index SET region = 5 WHERE code = 'c'");
        }
        awaitSame("SELECT region, code, qty, note FROM ri_index ORDER BY region, code");
        try (Connection target = target()) {
            assertEquals(List.of(List.of("region"), List.of("code")), Sql.rows(target, engine() == TargetEngine.POSTGRES
                    ? "SELECT a.attname FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(n, o) ON true"
                    + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n"
                    + " WHERE i.indrelid = 'ri_index'::regclass AND i.indisprimary ORDER BY k.o"
                    : "SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = DATABASE()"
                    + " AND table_name = 'ri_index' AND constraint_name = 'PRIMARY' ORDER BY ordinal_position"),
                    "the index columns are the target's primary key");
        }
    }

    @Test
    void wideTableOfVarcharsArrivesWholeAndFollowsChanges() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE wide SET c20 = repeat('x', 1000), code = 'changed' WHERE id = 1",
                    "INSERT INTO wide (id, c1, c20, code) VALUES (4, repeat('😀', 1000), repeat('é', 999), 'streamed')");
        }
        awaitSame("SELECT id, md5(c1), md5(c19), md5(c20), code FROM wide ORDER BY id",
                "SELECT id, md5(c1), md5(c19), md5(c20), code FROM wide ORDER BY id");
    }

    @Test
    void textKeysDifferingOnlyByCaseOrTrailingSpacesStayDistinctRows() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source,
                    "INSERT INTO text_keys VALUES ('abc  ', 'a@x  ', 5), ('aBc', 'b@x', 6)",
                    "UPDATE text_keys SET v = 20 WHERE k = 'abc '",
                    "DELETE FROM text_keys WHERE k = 'Abc'",
                    "UPDATE text_keys SET email = 'a@x ' WHERE k = 'aBc'");
        }
        awaitSame("SELECT k, email, v FROM text_keys ORDER BY v");
        try (Connection target = target()) {
            assertEquals(5, Sql.count(target, "text_keys"));
        }
    }

    @Test
    void serialKeyZeroArrivesByBackfillAndStreamingAsZero() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE serials SET v = 'zero, updated' WHERE id = 0",
                    "INSERT INTO serials (v) VALUES ('three')");
        }
        awaitSame("SELECT id, v FROM serials ORDER BY id");
        try (Connection source = source()) {
            Sql.exec(source, "DELETE FROM serials WHERE id = 0", "INSERT INTO serials VALUES (0, 'zero, again')");
        }
        awaitSame("SELECT id, v FROM serials ORDER BY id");
    }

    @Test
    void unconstrainedNumericsAreSizedFromTheirValuesIncludingA38DigitKey() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO amounts VALUES (9" + SchemaTestResource.KEY_38_DIGITS.substring(1)
                            + ", 2" + "0".repeat(39) + ".75, 0.5, -1" + "0".repeat(60) + ".7654321)",
                    "UPDATE amounts SET free = free + 1, fine = 2.25 WHERE id = 1");
        }
        // Decimals compare by value (Sql.rows strips trailing zeros); huge is text on MySQL, so as text on the source.
        awaitSame("SELECT id, free, fine, huge::text FROM amounts ORDER BY id", "SELECT id, free, fine, huge FROM amounts ORDER BY id");
        if (engine() == TargetEngine.MARIADB) {
            given().get("/preflight").then().statusCode(200)
                    .body("columns.find { it.table == 'public.amounts' && it.column == 'id' }.targetType", equalTo("DECIMAL(65,27)"))
                    .body("columns.find { it.table == 'public.amounts' && it.column == 'free' }.targetType", equalTo("DECIMAL(65,25)"))
                    .body("columns.find { it.table == 'public.amounts' && it.column == 'fine' }.targetType", equalTo("DECIMAL(65,30)"))
                    .body("columns.find { it.table == 'public.amounts' && it.column == 'huge' }.targetType", equalTo("LONGTEXT"))
                    .body("columns.find { it.table == 'public.amounts' && it.column == 'huge' }.lossy", equalTo(false));
        }
    }

    @Test
    void aStreamedNumericWiderThanTheMeasuredValuesWidensItsColumnInsteadOfStoppingTheTable() throws Exception {
        String fifty = "7".repeat(50) + ".5";
        String free = "4".repeat(45) + ".5";
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO widening VALUES (3, " + fifty + ", " + free + ")",
                    "UPDATE widening SET fine = fine + 1 WHERE id = 1");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> {
                    try (Connection source = source(); Connection target = target()) {
                        Sql.assertSameRows(byValue(Sql.rows(source, "SELECT id, fine::text, free::text FROM widening ORDER BY id")),
                                byValue(Sql.rows(target, "SELECT id, fine, free FROM widening ORDER BY id")));
                    }
                });
        if (engine() == TargetEngine.MARIADB) {
            try (Connection target = target()) {
                assertEquals(List.of(List.of("fine", "decimal(65,15)"), List.of("free", "decimal(65,20)")), Sql.rows(target,
                        "SELECT column_name, column_type FROM information_schema.columns WHERE table_schema = DATABASE()"
                                + " AND table_name = 'widening' ORDER BY column_name").subList(0, 2));
            }
        }
        given().get("/status").then().body("tables.find { it.table == 'public.widening' }.state", equalTo("STREAMING"));
    }

    @Test
    void aNumericNoDecimalHoldsPausesItsTableAndTheAdvisedAlterThenResumeApplies() throws Exception {
        String tooFine = "0." + "3".repeat(35);
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO beyond VALUES (2, " + tooFine + ")", "UPDATE beyond SET v = 2.5 WHERE id = 1");
        }
        if (engine() == TargetEngine.MARIADB) {
            String path = "tables.find { it.table == 'public.beyond' }";
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).failFast("the pipeline FAILED", Pipelines::failed)
                    .untilAsserted(() -> given().get("/status").then().body(path + ".state", equalTo("PAUSED")));
            String error = given().get("/status").path(path + ".error");
            assertTrue(error.contains("Column public.beyond.v (numeric), key {id=2}") && error.contains("widen the target column"),
                    error);
            try (Connection target = target()) {
                Sql.exec(target, "ALTER TABLE beyond MODIFY v LONGTEXT"); // the advised remedy
            }
            given().header("Authorization", "Bearer " + SchemaTestResource.API_TOKEN)
                    .post("/tables/public.beyond/resume").then().statusCode(202);
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> {
                    try (Connection source = source(); Connection target = target()) {
                        Sql.assertSameRows(byValue(Sql.rows(source, "SELECT id, v::text FROM beyond ORDER BY id")),
                                byValue(Sql.rows(target, "SELECT id, v FROM beyond ORDER BY id")));
                    }
                });
        await().atMost(CONVERGE).untilAsserted(() -> given().get("/status").then()
                .body("tables.find { it.table == 'public.beyond' }.state", equalTo("STREAMING")));
    }

    @Test
    void partitionedTableFollowsInsertsUpdatesDeletesAndPartitionMovesUnderWrites() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong transactions = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection source = source()) {
                long next = 100_000;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (writing.get()) {
                    long id = 1 + random.nextInt(2000);
                    Sql.exec(source,
                            "INSERT INTO events VALUES (" + next++ + ", '" + List.of("eu", "us", "ap", "sa").get(random.nextInt(4))
                                    + "', date '2024-06-01' + " + random.nextInt(400) + ", 0)",
                            "UPDATE events SET v = v + 1 WHERE id = " + id,
                            // a partition key move: to another partition, into and out of the sub-partitioned one
                            "UPDATE events SET region = CASE region WHEN 'eu' THEN 'us' WHEN 'us' THEN 'ap' WHEN 'ap' THEN 'sa'"
                                    + " ELSE 'eu' END WHERE id = " + (id + 1),
                            "UPDATE events SET at = at + 200 WHERE region = 'ap' AND id = " + (id + 2),
                            "DELETE FROM events WHERE id = " + (id + 3),
                            // keyless: one row's update moves it across partitions, one duplicate goes
                            "UPDATE readings SET at = at + 365, v = v + 1 WHERE ctid = (SELECT ctid FROM readings WHERE sensor = "
                                    + random.nextInt(50) + " LIMIT 1)",
                            "INSERT INTO readings VALUES (" + random.nextInt(50) + ", date '2024-12-31', 1)",
                            "DELETE FROM readings WHERE ctid = (SELECT ctid FROM readings WHERE sensor = " + random.nextInt(50)
                                    + " LIMIT 1)");
                    transactions.incrementAndGet();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "partition-writer");
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> transactions.get() >= 300 || failure.get() != null);
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        assertNull(failure.get(), () -> "the source writes failed: " + failure.get());
        awaitSame("SELECT id, region, at::text, v FROM events ORDER BY id, region, at",
                "SELECT id, region, CAST(at AS CHAR), v FROM events ORDER BY id, region, at");
        awaitSame("SELECT sensor, at::text, v FROM readings ORDER BY sensor, at, v",
                "SELECT sensor, CAST(at AS CHAR), v FROM readings ORDER BY sensor, at, v");
    }

    @Test
    void aColumnRenamedUnderWritesKeepsItsValuesOnTheTarget() throws Exception {
        whileWriting(id -> "UPDATE renamed SET n = n + 1 WHERE id = " + (1 + id % 200),
                source -> Sql.exec(source, "ALTER TABLE renamed RENAME COLUMN a TO b"));
        awaitSame("SELECT id, b, n FROM renamed ORDER BY id");
        assertEquals(List.of("id", "b", "n"), targetColumns("renamed"), "the target column was renamed, not re-added");
    }

    @Test
    void aColumnAddedWithAConstantDefaultGivesTheExistingRowsThatValue() throws Exception {
        whileWriting(id -> "UPDATE added_constant SET n = n + 1 WHERE id = " + (1 + id % 200),
                source -> Sql.exec(source, "ALTER TABLE added_constant ADD COLUMN status varchar(10) NOT NULL DEFAULT 'new'"));
        awaitSame("SELECT id, n, status FROM added_constant ORDER BY id");
    }

    @Test
    void aColumnAddedWithAVolatileDefaultGetsEachExistingRowsValueFromTheSource() throws Exception {
        whileWriting(id -> "UPDATE added_volatile SET n = n + 1 WHERE id = " + (1 + id % 200),
                source -> Sql.exec(source, "ALTER TABLE added_volatile ADD COLUMN token text DEFAULT md5(random()::text)"));
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE added_volatile SET token = 'later' WHERE id = 1", "DELETE FROM added_volatile WHERE id = 2");
        }
        awaitSame("SELECT id, n, token FROM added_volatile ORDER BY id");
        try (Connection target = target()) {
            assertEquals(0, Sql.rows(target, "SELECT id FROM added_volatile WHERE token IS NULL").size(),
                    "every row that existed before the ADD COLUMN has the value the source computed for it");
        }
    }

    @Test
    void aDroppedColumnIsDroppedOnTheTargetWithTheUniqueKeyItWasPartOf() throws Exception {
        // greenlight.schema.dropped-columns defaults to drop; n repeats once gone is no longer part of the key
        whileWriting(id -> "UPDATE dropped SET n = n + 1 WHERE id = " + (1 + id % 200),
                source -> Sql.exec(source, "ALTER TABLE dropped DROP COLUMN gone"));
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO dropped (id, n) VALUES (201, 1)");
        }
        awaitSame("SELECT id, n FROM dropped ORDER BY id");
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> assertEquals(List.of("id", "n"), targetColumns("dropped"), "the column is gone on the target"));
        assertEquals(List.of(), targetIndexes("dropped"), "the unique key the source dropped with the column is gone too");
        given().get("/status").then().body("tables.find { it.table == 'public.dropped' }.state", equalTo("STREAMING"));
    }

    @Test
    void aWidenedColumnIsWidenedOnTheTargetBeforeTheWiderValuesArrive() throws Exception {
        whileWriting(id -> "UPDATE retyped SET n = n + 1 WHERE id = " + (1 + id % 200), source -> {
            Sql.exec(source, "ALTER TABLE retyped ALTER code TYPE varchar(60), ALTER small TYPE bigint");
            Sql.exec(source, "INSERT INTO retyped VALUES (201, 0, 'a code much longer than ten characters', 9000000000)");
        });
        awaitSame("SELECT id, n, code, small FROM retyped ORDER BY id");
    }

    @Test
    void aNarrowedColumnStopsItsTableWithTheStatementAndAResumeGoesOnWithTheWiderTargetColumn() throws Exception {
        String path = "tables.find { it.table == 'public.narrowed' }";
        whileWriting(id -> "UPDATE narrowed SET n = n + 1 WHERE id = " + (1 + id % 200),
                source -> Sql.exec(source, "ALTER TABLE narrowed ALTER code TYPE varchar(8)"));
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> given().get("/status").then().body(path + ".state", equalTo("PAUSED")));
        String error = given().get("/status").path(path + ".error");
        assertTrue(error.contains("`ALTER TABLE narrowed ALTER code TYPE varchar(8)`") && error.contains("LSN ")
                && error.contains("character varying(20) to character varying(8)") && error.contains("/resume"), error);
        given().get("/status").then().body("tables.find { it.table == 'public.renamed' }.state", equalTo("STREAMING"));
        given().header("Authorization", "Bearer " + SchemaTestResource.API_TOKEN)
                .post("/tables/public.narrowed/resume").then().statusCode(202);
        awaitSame("SELECT id, n, code FROM narrowed ORDER BY id");
        await().atMost(CONVERGE).untilAsserted(() -> given().get("/status").then().body(path + ".state", equalTo("STREAMING")));
    }

    @Test
    void indexesAndUniqueConstraintsCreatedAndDroppedOnTheSourceFollowOnTheTarget() throws Exception {
        whileWriting(id -> "UPDATE indexed SET n = n + 1 WHERE id = " + (1 + id % 200), source -> Sql.exec(source,
                "ALTER TABLE indexed ADD CONSTRAINT indexed_code_key UNIQUE (code)",
                "CREATE INDEX indexed_v ON indexed (v)",
                "CREATE UNIQUE INDEX indexed_v_code ON indexed (v, code)"));
        awaitIndexes("indexed", List.of("indexed_code_key:code", "indexed_v:v", "indexed_v_code:v,code"));
        whileWriting(id -> "UPDATE indexed SET n = n + 1 WHERE id = " + (1 + id % 200), source -> Sql.exec(source,
                "ALTER TABLE indexed DROP CONSTRAINT indexed_code_key", "DROP INDEX indexed_v"));
        awaitIndexes("indexed", List.of("indexed_v_code:v,code"));
        awaitSame("SELECT id, n, code, v FROM indexed ORDER BY id");
    }

    @Test
    void indexesCreatedAndDroppedConcurrentlyOnTheSourceFollowOnTheTarget() throws Exception {
        // CONCURRENTLY: no transaction block, transactions of its own in between, writes going on all along
        whileWriting(id -> "UPDATE indexed_live SET n = n + 1 WHERE id = " + (1 + id % 200), source -> Sql.exec(source,
                "CREATE INDEX CONCURRENTLY indexed_live_v ON indexed_live (v)",
                "CREATE UNIQUE INDEX CONCURRENTLY indexed_live_code ON indexed_live (code)"));
        awaitIndexes("indexed_live", List.of("indexed_live_code:code", "indexed_live_v:v"));
        whileWriting(id -> "UPDATE indexed_live SET n = n + 1 WHERE id = " + (1 + id % 200), source -> Sql.exec(source,
                "DROP INDEX CONCURRENTLY indexed_live_code", "DROP INDEX CONCURRENTLY indexed_live_v"));
        awaitIndexes("indexed_live", List.of());
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE indexed_live SET code = 'same' WHERE id IN (1, 2)"); // no longer unique on the source
        }
        awaitSame("SELECT id, n, code, v FROM indexed_live ORDER BY id");
    }

    @Test
    void aUniqueConstraintTheTargetRowsViolateStopsTheTableNamingTheKeysAndAResumeAfterTheFixGoesOn() throws Exception {
        String path = "tables.find { it.table == 'public.dup_keys' }";
        try (Connection target = target()) {
            Sql.exec(target, "UPDATE dup_keys SET email = 'u1@x' WHERE id = 2"); // the target differs from the source
        }
        try (Connection source = source()) {
            Sql.exec(source, "ALTER TABLE dup_keys ADD CONSTRAINT dup_keys_email UNIQUE (email)");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> given().get("/status").then().body(path + ".state", equalTo("PAUSED")));
        String error = given().get("/status").path(path + ".error");
        assertTrue(error.contains("ADD CONSTRAINT dup_keys_email UNIQUE (email)") && error.contains("u1@x") && error.contains("2 times"),
                error);
        try (Connection target = target()) {
            Sql.exec(target, "UPDATE dup_keys SET email = 'u2@x' WHERE id = 2"); // the advised fix
        }
        given().header("Authorization", "Bearer " + SchemaTestResource.API_TOKEN)
                .post("/tables/public.dup_keys/resume").then().statusCode(202);
        awaitIndexes("dup_keys", List.of("dup_keys_email:email"));
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE dup_keys SET n = 5 WHERE id < 10");
        }
        awaitSame("SELECT id, n, email FROM dup_keys ORDER BY id");
    }

    @Test
    void anEnumLabelAddedOnTheSourceIsAcceptedByTheTarget() throws Exception {
        whileWriting(id -> "UPDATE moods SET n = n + 1 WHERE id = " + (1 + id % 200),
                source -> Sql.exec(source, "ALTER TYPE mood ADD VALUE 'happy'"));
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE moods SET m = 'happy' WHERE id < 20", "INSERT INTO moods VALUES (201, 0, 'happy')");
        }
        awaitSame("SELECT id, n, m::text FROM moods ORDER BY id", "SELECT id, n, m FROM moods ORDER BY id");
    }

    @Test
    void aFlywayStyleMigrationOfSeveralStatementsInOneTransactionArrivesInOrderWithItsData() throws Exception {
        whileWriting(id -> "UPDATE migrated SET n = n + 1 WHERE id = " + (1 + id % 200), source -> {
            source.setAutoCommit(false);
            Sql.exec(source,
                    "ALTER TABLE migrated ADD COLUMN status text NOT NULL DEFAULT 'new'",
                    "UPDATE migrated SET status = 'old' WHERE id <= 50",
                    "ALTER TABLE migrated RENAME COLUMN name TO title",
                    "CREATE INDEX migrated_status ON migrated (status)",
                    "INSERT INTO migrated (id, n, title, status) VALUES (201, 0, 'made by the migration', 'seeded')",
                    "ALTER TABLE migrated ALTER title TYPE varchar(200)");
            source.commit();
            source.setAutoCommit(true);
        });
        awaitSame("SELECT id, n, title, status FROM migrated ORDER BY id");
        assertEquals(List.of("id", "n", "title", "status"), targetColumns("migrated"));
        awaitIndexes("migrated", List.of("migrated_status:status"));
    }

    @Test
    @Order(Order.DEFAULT + 1) // restarts the pipeline: after the tests that watch a paused table
    void aTableCreatedInTheMigratedSchemaIsCreatedOnTheTargetCopiedAndThenStreamed() throws Exception {
        try (Connection source = source()) {
            source.setAutoCommit(false);
            Sql.exec(source, "CREATE TABLE created_later (id int PRIMARY KEY, v varchar(20))",
                    "INSERT INTO created_later SELECT g, 'v' || g FROM generate_series(1, 100) g");
            source.commit();
            source.setAutoCommit(true);
            Sql.exec(source, "INSERT INTO created_later VALUES (101, 'after')");
        }
        awaitSame("SELECT id, v FROM created_later ORDER BY id");
        Pipelines.awaitStreaming();
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE created_later SET v = 'streamed' WHERE id <= 10", "INSERT INTO created_later VALUES (102, 'new')",
                    "DELETE FROM created_later WHERE id = 50");
        }
        awaitSame("SELECT id, v FROM created_later ORDER BY id");
    }

    @jakarta.inject.Inject
    Pipeline pipeline;

    @Test
    @Order(Order.DEFAULT + 1) // restarts the pipeline
    void aColumnRenamedWhileGreenlightIsStoppedIsRenamedOnTheTargetWhenItMeetsTheStatementAfterTheRestart() throws Exception {
        awaitSame("SELECT id, a FROM renamed_offline ORDER BY id");
        pipeline.stop();
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE renamed_offline SET a = a || '!' WHERE id <= 5",
                    "ALTER TABLE renamed_offline RENAME COLUMN a TO b", "UPDATE renamed_offline SET b = 'after' WHERE id = 6");
        }
        pipeline.start();
        Pipelines.awaitStreaming();
        awaitSame("SELECT id, b FROM renamed_offline ORDER BY id");
        assertEquals(List.of("id", "b"), targetColumns("renamed_offline"));
    }

    @Test
    void aTableDroppedOnTheSourceIsDroppedOnTheTargetAndNoLongerCaptured() throws Exception {
        whileWriting(id -> "UPDATE doomed SET n = n + 1 WHERE id = " + (1 + id % 200), source -> { });
        awaitSame("SELECT id, n FROM doomed ORDER BY id");
        try (Connection source = source()) {
            Sql.exec(source, "DROP TABLE doomed");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> assertEquals(List.of(), targetColumns("doomed"), "the target table is gone"));
        await().atMost(CONVERGE).untilAsserted(() -> given().get("/status").then()
                .body("tables.find { it.table == 'public.doomed' }", equalTo(null)));
    }

    @Test
    @Order(Order.DEFAULT + 1) // restarts the pipeline
    void aTableRenamedOnTheSourceUnderWritesIsCopiedUnderItsNewNameAndStreamedFromThere() throws Exception {
        // the writer follows the rename as the application does: whichever name the table has
        whileWriting(id -> "DO $$ BEGIN UPDATE moved SET n = n + 1 WHERE id = " + (1 + id % 200) + "; EXCEPTION WHEN "
                + "undefined_table THEN UPDATE moved_away SET n = n + 1 WHERE id = " + (1 + id % 200) + "; END $$", source -> {
            source.setAutoCommit(false); // a migration script: the rename and writes under the new name, in one transaction
            Sql.exec(source, "ALTER TABLE moved RENAME TO moved_away", "UPDATE moved_away SET n = n + 1000 WHERE id <= 10");
            source.commit();
            source.setAutoCommit(true);
        });
        awaitSame("SELECT id, n FROM moved_away ORDER BY id");
        Pipelines.awaitStreaming();
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE moved_away SET n = -1 WHERE id = 20", "INSERT INTO moved_away VALUES (201, 7)",
                    "DELETE FROM moved_away WHERE id = 30");
        }
        awaitSame("SELECT id, n FROM moved_away ORDER BY id");
        assertEquals(List.of(), targetColumns("moved"), "the target table of the old name is gone");
        given().get("/status").then().body("tables.find { it.table == 'public.moved' }", equalTo(null))
                .body("tables.find { it.table == 'public.moved_away' }.state", equalTo("STREAMING"));
    }

    @Test
    void aPartitionAddedToACapturedTableIsNoTableOfItsOwnItsRowsArriveThroughTheRoot() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source, "CREATE TABLE events_af PARTITION OF events FOR VALUES IN ('af')",
                    "INSERT INTO events VALUES (900001, 'af', '2024-03-01', 1), (900002, 'af', '2024-03-02', 2)");
        }
        awaitSame("SELECT id, region, at::text, v FROM events WHERE region = 'af' ORDER BY id",
                "SELECT id, region, CAST(at AS CHAR), v FROM events WHERE region = 'af' ORDER BY id");
        assertEquals(List.of(), targetColumns("events_af"), "no target table of its own");
        given().get("/status").then().body("tables.find { it.table == 'public.events_af' }", equalTo(null));
    }

    @Test
    @Order(Order.DEFAULT + 1) // the remedy restarts the pipeline
    void aDetachedPartitionStopsItsTableWithTheStatementAndTheAdvisedRecopyBringsTheTableBackInLine() throws Exception {
        String path = "tables.find { it.table == 'public.events' }";
        try (Connection source = source()) {
            Sql.exec(source, "ALTER TABLE events DETACH PARTITION events_us"); // its rows leave events: no change says so
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> given().get("/status").then().body(path + ".state", equalTo("PAUSED")));
        String error = given().get("/status").path(path + ".error");
        assertTrue(error.contains("`ALTER TABLE events DETACH PARTITION events_us`") && error.contains("LSN ")
                && error.contains("POST /tables/public.events/recopy"), error);
        given().header("Authorization", "Bearer " + SchemaTestResource.API_TOKEN)
                .post("/tables/public.events/recopy").then().statusCode(202);
        awaitSame("SELECT id, region, at::text, v FROM events ORDER BY id, region, at",
                "SELECT id, region, CAST(at AS CHAR), v FROM events ORDER BY id, region, at");
        Pipelines.awaitStreaming();
        await().atMost(CONVERGE).untilAsserted(() -> given().get("/status").then().body(path + ".state", equalTo("STREAMING")));
    }

    @Test
    @Order(Order.DEFAULT + 2)
    void aRealisticMixedDatabaseMigratesWhole() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE ri_full SET qty = 2 WHERE ctid = (SELECT min(ctid) FROM ri_full WHERE name = 'a')",
                    "INSERT INTO ri_full VALUES ('c', 3)", "DELETE FROM ri_default WHERE id % 10 = 0",
                    "UPDATE ri_default SET v = 'changed' WHERE id < 5", "INSERT INTO events VALUES (0, 'eu', '2024-01-01', 0)");
        }
        awaitSame("SELECT count(*) FROM events");
        String id = given().header("Authorization", "Bearer " + SchemaTestResource.API_TOKEN).contentType(ContentType.JSON)
                .body("{}").post("/verify").then().statusCode(202).extract().path("id");
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
                .until(() -> !given().get("/verify/" + id).path("state").toString().matches("PENDING|RUNNING"));
        given().get("/verify/" + id).then().statusCode(200)
                .body("state", equalTo("PASSED"))
                .body("result.mismatchedRows", equalTo(0))
                .body("result.tables.size()", equalTo(26));
        List<String> tables = given().get("/verify/" + id).path("result.tables.table");
        assertTrue(tables.containsAll(List.of("public.ri_default", "public.ri_full", "public.ri_index", "public.wide",
                "public.text_keys", "public.serials", "public.events", "public.amounts", "public.readings", "public.widening", "public.beyond", "public.renamed",
                "public.added_constant", "public.added_volatile", "public.dropped", "public.retyped", "public.narrowed",
                "public.indexed", "public.indexed_live", "public.dup_keys", "public.moods", "public.migrated", "public.created_later", "public.moved_away", "public.renamed_offline", "public.events_us")), tables.toString());
    }

    /** What a DDL statement runs inside: a writer on another connection, before, during and after it. */
    private void whileWriting(java.util.function.LongFunction<String> write, Sql.Action ddl) throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection source = source()) {
                while (writing.get()) {
                    Sql.exec(source, write.apply(ThreadLocalRandom.current().nextLong(1_000_000)));
                    done.incrementAndGet();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "ddl-writer");
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= 50 || failure.get() != null);
            try (Connection source = source()) {
                ddl.run(source);
            }
            long after = done.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= after + 50 || failure.get() != null);
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        assertNull(failure.get(), () -> "the source writes failed: " + failure.get());
    }

    /** Until the target table's indexes besides its primary key are these ("name:col1,col2"). */
    private void awaitIndexes(String table, List<String> expected) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> assertEquals(expected, targetIndexes(table)));
    }

    private List<String> targetIndexes(String table) throws Exception {
        String query = engine() == TargetEngine.POSTGRES
                ? "SELECT ic.relname, string_agg(a.attname, ',' ORDER BY k.o) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(n, o) ON true"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n"
                + " WHERE i.indrelid = ?::regclass AND NOT i.indisprimary GROUP BY ic.relname ORDER BY ic.relname"
                : "SELECT index_name, group_concat(column_name ORDER BY seq_in_index SEPARATOR ',') FROM information_schema.statistics"
                + " WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' GROUP BY index_name ORDER BY index_name";
        try (Connection target = target()) {
            return Sql.rows(target, query, table).stream().map(row -> row.get(0) + ":" + row.get(1)).toList();
        }
    }

    /** The target table's column names in order. */
    private List<String> targetColumns(String table) throws Exception {
        try (Connection target = target()) {
            return Sql.rows(target, "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = "
                    + (engine() == TargetEngine.POSTGRES ? "current_schema()" : "DATABASE()") + " ORDER BY ordinal_position", table)
                    .stream().map(row -> row.get(0)).toList();
        }
    }

    private static List<List<String>> byValue(List<List<String>> rows) {
        return rows.stream().map(row -> row.stream().map(v -> v == null ? null
                : new java.math.BigDecimal(v).stripTrailingZeros().toPlainString()).toList()).toList();
    }

    /** The same query's rows on both sides. */
    private void awaitSame(String query) {
        awaitSame(query, query);
    }

    /** The source query's rows equal the target query's; a PostgreSQL target runs the source query. */
    private void awaitSame(String sourceQuery, String mysqlTargetQuery) {
        String targetQuery = engine() == TargetEngine.POSTGRES ? sourceQuery : mysqlTargetQuery;
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> {
                    try (Connection source = source(); Connection target = target()) {
                        Sql.assertSameRows(Sql.rows(source, sourceQuery), Sql.rows(target, targetQuery));
                    }
                });
    }

    private Connection source() throws Exception {
        return servers.postgres.connect(database());
    }

    private Connection target() throws Exception {
        return engine().connect(database());
    }
}
