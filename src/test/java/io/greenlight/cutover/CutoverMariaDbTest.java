package io.greenlight.cutover;

import io.greenlight.testing.CutoverTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CutoverTest} with a MariaDB target (binlog on), and what follows the switch there:
 * reverse replication keeps the old source in sync with the new primary.
 */
@QuarkusTest
@WithTestResource(CutoverTestResource.class)
@WithKubernetesTestServer(crud = true)
class CutoverMariaDbTest extends CutoverTest {

    private final TestServers servers = TestServers.get();

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return CutoverTestResource.DATABASE;
    }

    @Test
    @Order(13)
    void aTargetBinlogWithoutRowsRefusesTheCutoverBeforeAnythingIsFencedAndTheAdvisedFixWorks() throws Exception {
        String before = given().get("/cutover").path("id");
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "SET GLOBAL binlog_format = 'STATEMENT'");
        }
        try {
            authorized().body("{\"maxLagSeconds\": 3600, \"stableSeconds\": 1}").post("/cutover").then().statusCode(409)
                    .body("detail", containsString("nothing was armed or fenced"))
                    .body("detail", containsString("binlog_format is STATEMENT"))
                    .body("detail", containsString("SET GLOBAL binlog_format = 'ROW'"));
            assertEquals(before, given().get("/cutover").path("id"), "no cutover was armed");
            try (Connection s = servers.postgres.connect(database())) {
                assertEquals("off", Sql.rows(s, "SELECT coalesce((SELECT setting FROM pg_db_role_setting d, "
                        + "unnest(d.setconfig) setting WHERE d.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                        + "AND setting LIKE 'default_transaction_read_only%'), 'off')").get(0).get(0), "the source is not fenced");
            }
            authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200)
                    .body("checks.find { it.name == 'rollbackPath' }.passed", equalTo(false));
            authorized().body("{\"dryRun\": true, \"giveUpRollback\": true}").post("/cutover").then().statusCode(200)
                    .body("checks.find { it.name == 'rollbackPath' }.passed", equalTo(true))
                    .body("options.giveUpRollback", equalTo(true));
        } finally {
            try (Connection t = engine().connect(database())) {
                Sql.exec(t, "SET GLOBAL binlog_format = 'ROW'"); // the remedy the message advises
            }
        }
        authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200)
                .body("checks.find { it.name == 'rollbackPath' }.passed", equalTo(true));
    }

    @Test
    @Order(22)
    void writesOnTheNewPrimaryReachTheOldSourceAndNothingForwardComesBack() throws Exception {
        awaitReverseRunning();
        long appliedBefore = given().get("/status").jsonPath().getLong("reverse.changesApplied");
        long transfer;
        try (Connection t = engine().connect(database())) {
            transfer = Long.parseLong(Sql.rows(t, "SELECT min(id) FROM transfers").get(0).get(0));
            Sql.exec(t, "INSERT INTO accounts (owner, balance) VALUES ('opened after the switch', 5)",
                    "UPDATE accounts SET balance = balance + 10 WHERE id IN (3, 7)", // 7 differs on the old source (test 21)
                    "DELETE FROM transfers WHERE id = " + transfer,
                    "INSERT INTO transfers (account, amount, at) VALUES (3, 10.25, '2026-01-02 03:04:05.678901')");
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
                Sql.assertSameRows(Sql.rows(t, "SELECT id, owner, balance FROM accounts ORDER BY id"),
                        Sql.rows(s, "SELECT id, owner, balance FROM accounts ORDER BY id"));
                Sql.assertSameRows(Sql.rows(t, "SELECT id, account, amount, at FROM transfers ORDER BY id"),
                        Sql.rows(s, "SELECT id, account, amount, at FROM transfers ORDER BY id"));
            }
        });
        assertEquals(5, given().get("/status").jsonPath().getLong("reverse.changesApplied") - appliedBefore,
                "exactly the new primary's own changes were applied back: none of those forward apply wrote");
        given().get("/status").then().body("direction", equalTo("REVERSE"));
        given().get("/q/metrics").then().body(containsString("cdc_reverse_lag_seconds"));
    }

    @Test
    @Order(23)
    void valuesWrittenOnTheNewPrimaryComeBackAsTheOriginalPostgresTypes() throws Exception {
        awaitReverseRunning();
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "INSERT INTO kinds VALUES (1, 12.5000, 1.500000000000000000000000000000, '2024-02-29 23:59:59.123456',"
                    + " '1970-01-01 00:00:00', '2024-02-29', '{\"a\": [1.50, \"😀\"], \"b\": null}', '[1, null, -3]',"
                    + " '[\"x\", null, \"a \\\\\"q\\\\\" , c\", \"\"]', 'happy', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', x'00ff0a275c',"
                    + " 'P1Y2M3DT4H5M6.78S', '{\"a\": \"1\", \"b\": null}', '192.168.0.1/24', 1, 0.1)",
                    "INSERT INTO kinds (id) VALUES (2)");
        }
        String query = "SELECT id, amount::text, plain::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),"
                + " stamp::text, day::text, doc::text, ints::text, words::text, feeling::text, ref::text, encode(raw, 'hex'),"
                + " span::text, attrs::text, addr::text, flag::text, ratio::text FROM kinds ORDER BY id";
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database())) {
                Sql.exec(s, "SET intervalstyle = 'postgres'");
                List<List<String>> rows = Sql.rows(s, query);
                assertEquals(2, rows.size(), "both rows are on the old source: " + rows);
                assertEquals(List.of("1", "12.5000", "1.5", "2024-02-29 23:59:59.123456", "1970-01-01 00:00:00", "2024-02-29",
                        "{\"a\": [1.50, \"😀\"], \"b\": null}", "{1,NULL,-3}", "{x,NULL,\"a \\\"q\\\" , c\",\"\"}", "happy",
                        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00ff0a275c", "1 year 2 mons 3 days 04:05:06.78",
                        "\"a\"=>\"1\", \"b\"=>NULL", "192.168.0.1/24", "true", "0.1"), rows.get(0));
                assertEquals(java.util.Arrays.asList("2", null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null), rows.get(1));
            }
        });
    }

    @Test
    @Order(24)
    void aTruncateOnTheNewPrimaryEmptiesTheTableOnTheOldSource() throws Exception {
        awaitReverseRunning();
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "INSERT INTO kinds (id) VALUES (3)");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database())) {
                assertEquals(1, Sql.rows(s, "SELECT id FROM kinds WHERE id = 3").size());
            }
        });
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "TRUNCATE TABLE kinds");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database())) {
                assertEquals(0L, Sql.count(s, "kinds"));
            }
        });
    }

    @Test
    @Order(26)
    void aRollbackThatCannotRevertTheSwitchLiftsTheNewPrimarysFenceAndStaysCompleted() throws Exception {
        awaitReverseRunning();
        String id = given().get("/cutover").path("id");
        // The webhook receiver of the cutover (order 20) is gone: its revert fails before anything was reverted.
        authorized().post("/rollback").then().statusCode(202);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
                given().get("/cutover").jsonPath().getList("transitions.state").stream().filter("COMPLETED"::equals).count() == 2);
        given().get("/cutover").then().body("id", equalTo(id)).body("state", equalTo("COMPLETED"))
                .body("transitions[-1].note", containsString("rollback failed"))
                .body("transitions[-1].note", containsString("the new primary's fence was lifted"));
        try (Connection t = engine().connect(database())) {
            assertEquals("0", Sql.rows(t, "SELECT @@GLOBAL.read_only").get(0).get(0), "the target takes writes again");
        }
        assertEquals(java.util.Map.of("app", "mysql"), kubernetes.getClient().services().inNamespace("shop")
                .withName("app-database").get().getSpec().getSelector(), "the application still talks to the target");
        awaitReverseRunning();
    }

    @Test
    @Order(27)
    void rollbackThenSwitchAgainThenCompleteLoseNoAcknowledgedWriteUnderLoad() throws Exception {
        awaitReverseRunning();
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "CREATE USER IF NOT EXISTS 'app_writer'@'%'", "GRANT SELECT, INSERT, UPDATE, DELETE ON bank.* TO 'app_writer'@'%'");
        }
        int port = java.net.URI.create(given().get("/cutover").jsonPath().getString("options.actions.webhook.url")).getPort();
        com.sun.net.httpserver.HttpServer webhook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", port), 0); // the operator brought the receiver back
        webhook.createContext("/switched", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        Ledger ledger = new Ledger();
        Thread app = new Thread(ledger, "ledger-app");
        app.start();
        try {
            ledger.awaitMore(50, "on the new primary");
            authorized().post("/rollback").then().statusCode(202);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "ROLLED_BACK".equals(given().get("/cutover").path("state")));
            double rollbackBlocked = given().get("/cutover").jsonPath().getDouble("rollback.writeBlockedSeconds");
            System.out.printf("rollback write-blocked window under load: %.3f s (%d acknowledged writes so far)%n",
                    rollbackBlocked, ledger.acknowledged.size());
            assertEquals(java.util.Map.of("app", "postgres"), selector(), "the application talks to the source again");
            ledger.awaitMore(50, "on the source after the rollback");
            awaitBothSidesHold(ledger, "after the rollback", false);

            authorized().body("""
                    {"maxLagSeconds": 5, "stableSeconds": 1, "timeoutSeconds": 120, "maxWriteBlockedSeconds": 60,
                     "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]},
                     "actions": {"kubernetes": {"namespace": "shop", "service": "app-database", "selector": {"app": "mysql"}}}}""")
                    .post("/cutover").then().statusCode(202);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .failFast("cutover FAILED", () -> "FAILED".equals(given().get("/cutover").path("state")))
                    .until(() -> "COMPLETED".equals(given().get("/cutover").path("state")));
            System.out.printf("second switch write-blocked window under load: %.3f s%n",
                    given().get("/cutover").jsonPath().getDouble("writeBlockedSeconds"));
            awaitReverseRunning();
            ledger.awaitMore(50, "on the target after switching again");
            awaitBothSidesHold(ledger, "after switching again", true);

            authorized().post("/complete").then().statusCode(200).body("state", equalTo("FINISHED"));
            given().get("/status").then().body("direction", equalTo("NONE"));
            // Each verb fires once: a second complete, a new cutover and its dry run all refuse, and none advises a verb that refuses too.
            authorized().post("/complete").then().statusCode(409)
                    .body("detail", containsString("already FINISHED")).body("detail", not(containsString("POST /cutover")));
            authorized().body("{}").post("/cutover").then().statusCode(409).body("detail", containsString("The migration is finished"));
            authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200).body("wouldStart", equalTo(false))
                    .body("checks.find { it.name == 'firesOnce' }.detail", containsString("The migration is finished"));
            ledger.awaitMore(20, "on the target after complete");
        } finally {
            ledger.stop();
            app.join();
            webhook.stop(0);
        }
        try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
            List<List<String>> onTarget = Sql.rows(t, "SELECT id FROM transfers ORDER BY id");
            java.util.Set<String> targetIds = new java.util.HashSet<>();
            onTarget.forEach(r -> targetIds.add(r.get(0)));
            for (long acked : ledger.acknowledged) {
                assertTrue(targetIds.contains(Long.toString(acked)), "acknowledged transfer " + acked + " is on the new primary");
            }
            assertEquals("f", Sql.rows(s, "SELECT (to_regclass('greenlight.greenlight_reverse') IS NOT NULL)::text").get(0).get(0)
                    .substring(0, 1), "the reverse bookkeeping is removed from the source");
            assertEquals("0", Sql.rows(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'greenlight_bank'").get(0).get(0));
            assertEquals(0, Sql.rows(t, "SHOW TABLES LIKE 'greenlight_reverse_heartbeat'").size());
        }
    }

    /** Every acknowledged write is on both sides, once; the primary's next generated key is past every key. */
    private void awaitBothSidesHold(Ledger ledger, String when, boolean primaryIsTarget) {
        List<Long> acknowledged = List.copyOf(ledger.acknowledged);
        // One writer: every key up to the newest acknowledged one is committed; later ones may still be on their way.
        long upTo = acknowledged.stream().mapToLong(Long::longValue).max().orElse(0);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
                List<List<String>> source = Sql.rows(s, "SELECT id, account, amount FROM transfers WHERE id <= ? ORDER BY id", upTo);
                List<List<String>> target = Sql.rows(t, "SELECT id, account, amount FROM transfers WHERE id <= ? ORDER BY id", upTo);
                java.util.Set<String> ids = new java.util.HashSet<>();
                source.forEach(r -> ids.add(r.get(0)));
                for (long acked : acknowledged) {
                    assertTrue(ids.contains(Long.toString(acked)), when + ": acknowledged transfer " + acked + " is on the source");
                }
                Sql.assertSameRows(source, target);
            }
        });
        // The primary's key generator continues past every key it holds (the standby's follows with explicit keys).
        try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
            if (primaryIsTarget) {
                long max = Long.parseLong(Sql.rows(t, "SELECT coalesce(max(id), 0) FROM transfers").get(0).get(0));
                long next = Long.parseLong(Sql.rows(t, "SELECT AUTO_INCREMENT FROM information_schema.TABLES "
                        + "WHERE TABLE_SCHEMA = 'bank' AND TABLE_NAME = 'transfers'").get(0).get(0));
                assertTrue(next > max, when + ": the target's AUTO_INCREMENT continues at " + next + " past key " + max);
            } else {
                long max = Long.parseLong(Sql.rows(s, "SELECT coalesce(max(id), 0) FROM transfers").get(0).get(0));
                long next = Long.parseLong(Sql.rows(s, "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END "
                        + "FROM transfers_id_seq").get(0).get(0));
                assertTrue(next > max, when + ": the source's sequence continues at " + next + " past key " + max);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private java.util.Map<String, String> selector() {
        return kubernetes.getClient().services().inNamespace("shop").withName("app-database").get().getSpec().getSelector();
    }

    /**
     * The application: inserts a transfer as app_writer on whichever database the Service selects,
     * keeping the id of every insert whose commit was acknowledged.
     */
    private final class Ledger implements Runnable {

        final java.util.Queue<Long> acknowledged = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private volatile boolean writing = true;

        @Override
        public void run() {
            while (writing) {
                try {
                    boolean target = "mysql".equals(selector().get("app"));
                    acknowledged.add(target ? insertOnTarget() : insertOnSource());
                    Thread.sleep(5);
                } catch (java.sql.SQLException | RuntimeException refused) {
                    sleepQuietly(); // fenced, or ended by a fence: not acknowledged
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private long insertOnSource() throws java.sql.SQLException {
            try (Connection c = new org.postgresql.Driver().connect(servers.postgres.jdbcUrl(database()) + "?user=app_writer",
                    new java.util.Properties())) {
                return Long.parseLong(Sql.rows(c, "INSERT INTO transfers (account, amount) VALUES (1, 1) RETURNING id").get(0).get(0));
            }
        }

        private long insertOnTarget() throws java.sql.SQLException {
            java.util.Properties props = new java.util.Properties();
            props.put("user", "app_writer");
            props.put("password", "");
            try (Connection c = new com.mysql.cj.jdbc.Driver().connect(servers.mariadb.jdbcUrl(database()), props);
                 java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO transfers (account, amount, at) "
                         + "VALUES (1, 1, UTC_TIMESTAMP(6))", java.sql.Statement.RETURN_GENERATED_KEYS)) {
                ps.executeUpdate();
                try (java.sql.ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        }

        void awaitMore(int writes, String where) {
            int from = acknowledged.size();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> acknowledged.size() >= from + writes);
        }

        void stop() {
            writing = false;
        }

        private void sleepQuietly() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitReverseRunning() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().get("/status").then().body("reverse.running", equalTo(true)));
    }

    private static RequestSpecification authorized() {
        return given().contentType("application/json").header("Authorization", "Bearer " + CutoverTestResource.TOKEN);
    }
}
