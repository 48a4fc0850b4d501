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

}
