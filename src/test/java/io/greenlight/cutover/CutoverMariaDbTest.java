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
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    private static void awaitReverseRunning() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().get("/status").then().body("reverse.running", equalTo(true)));
    }

    private static RequestSpecification authorized() {
        return given().contentType("application/json").header("Authorization", "Bearer " + CutoverTestResource.TOKEN);
    }
}
