package io.greenlight;

import io.greenlight.testing.Pipelines;
import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A change the target cannot take pauses its table at that change (default
 * greenlight.apply.on-error=pause-table), the other tables keep replicating, and
 * POST /tables/{table}/resume retries it once the cause is fixed. Run against each target
 * engine by {@link PoisonMariaDbTest} and {@link PoisonPostgresTest}.
 */
abstract class PoisonTest {

    /** The engine of the target database. */
    protected abstract io.greenlight.testing.TargetDatabase engine();

    /** The source and target database of the suite's test resource. */
    protected abstract String database();

    /** A prices.amount the source holds and this target refuses. */
    protected abstract String poisonAmount();

    /** Checks the part of the pause's error that is the target's own reason. */
    protected abstract void assertRefusedAmount(String error);

    /** A unique index on accounts.email that only the target has. */
    protected abstract String targetOnlyEmailIndex();

    /** Widens the target's labels.name (made VARCHAR(3) by hand) to the source's 10 characters. */
    protected abstract String widenLabelsName();

    private static final Pattern KAFKA = Pattern.compile("Kafka (\\S+)-(\\d+)@(\\d+)\\)");

    private final TestServers servers = TestServers.get();

    @BeforeEach
    void pipelineIsStreaming() {
        Pipelines.awaitStreaming();
    }

    @Test
    void aValueThatDoesNotFitPausesItsTableAtThatChangeNamingColumnKeyLsnAndTheFix() throws Exception {
        String error = pricesPaused();
        assertRefusedAmount(error);
        assertTrue(error.contains("key {id=2}"), error);
        assertTrue(error.matches("(?s).*LSN [0-9A-F]+/[0-9A-F]+.*"), error);
        assertTrue(error.contains("POST /tables/public.prices/resume"), error);
        given().get("/status").then().body("phase", equalTo("STREAMING")).body("failure", equalTo(null));
        try (Connection target = target()) {
            assertEquals(List.of(List.of("1", "1.5")), Sql.rows(target, "SELECT id, amount FROM prices ORDER BY id"),
                    "the change before the poison is applied, nothing after it");
            Matcher kafka = KAFKA.matcher(error);
            assertTrue(kafka.find(), error);
            assertEquals(List.of(List.of(kafka.group(3))), Sql.rows(target,
                    "SELECT next_offset FROM greenlight_offsets WHERE topic = ? AND kafka_partition = ?",
                    kafka.group(1), Integer.parseInt(kafka.group(2))), "the stored position is the poison change itself");
        }
    }

    @Test
    void otherTablesKeepReplicatingWhileOneIsPaused() throws Exception {
        pricesPaused();
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO notes SELECT g, 'while prices is paused ' || g FROM generate_series(10, 60) g",
                    "UPDATE notes SET body = 'changed' WHERE id = 1", "DELETE FROM notes WHERE id = 60");
        }
        awaitSame("SELECT id, body FROM notes ORDER BY id");
    }

    @Test
    void pausedTableShowsInMetricsAndLagGrows() throws Exception {
        pricesPaused();
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("greenlight_table_paused{table=\"public.prices\"} 1.0"))
                .body(containsString("greenlight_table_paused{table=\"public.notes\"} 0.0"));
        String metrics = given().get("/q/metrics").asString();
        Matcher errors = Pattern.compile("cdc_apply_errors_total (\\S+)").matcher(metrics);
        assertTrue(errors.find() && Double.parseDouble(errors.group(1)) >= 1, metrics);
        // The poison change is not applied: lag counts from it instead of staying at the heartbeat interval.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> given().get("/status").jsonPath().getDouble("lag.endToEndSeconds") > 5.0);
    }

    @Test
    void resumeWithoutFixingTheCausePausesAgainWithTheSameError() throws Exception {
        String error = pricesPaused();
        String since = given().get("/status").path("tables.find { it.table == 'public.prices' }.since");
        authorized().post("/tables/public.prices/resume").then().statusCode(202)
                .body("table", equalTo("public.prices")).body("state", equalTo("RESUMING")).body("pausedWith", equalTo(error));
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            String again = given().get("/status").path("tables.find { it.table == 'public.prices' }.since");
            assertTrue(again != null && Instant.parse(again).isAfter(Instant.parse(since)), "paused again: " + again);
        });
        given().get("/status").then()
                .body("tables.find { it.table == 'public.prices' }.state", equalTo("PAUSED"))
                .body("tables.find { it.table == 'public.prices' }.error", equalTo(error));
    }

    @Test
    void resumeAfterRemovingTheConflictingTargetRowConvergesIncludingChangesMadeWhilePaused() throws Exception {
        try (Connection target = target()) {
            // A unique key the source lacks, and a target-only row that holds the value the source will write.
            Sql.exec(target, targetOnlyEmailIndex(),
                    "INSERT INTO accounts VALUES (999, 'taken@x')");
        }
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO accounts VALUES (1, 'a@x')", "INSERT INTO accounts VALUES (2, 'taken@x')",
                    "INSERT INTO accounts VALUES (3, 'c@x')");
        }
        String error = awaitPaused("public.accounts");
        assertTrue(error.contains("key {id=2}"), error);
        try (Connection target = target(); Connection source = source()) {
            assertEquals(List.of(List.of("1", "a@x"), List.of("999", "taken@x")),
                    Sql.rows(target, "SELECT id, email FROM accounts ORDER BY id"));
            Sql.exec(source, "UPDATE accounts SET email = 'a2@x' WHERE id = 1", "INSERT INTO accounts VALUES (4, 'd@x')",
                    "DELETE FROM accounts WHERE id = 3", "UPDATE accounts SET email = 'b@x' WHERE id = 2");
            Sql.exec(target, "DELETE FROM accounts WHERE id = 999");
        }
        authorized().post("/tables/public.accounts/resume").then().statusCode(202);
        awaitSame("SELECT id, email FROM accounts ORDER BY id");
        await().atMost(CONVERGE).untilAsserted(() -> given().get("/status").then()
                .body("tables.find { it.table == 'public.accounts' }.state", equalTo("STREAMING"))
                .body("tables.find { it.table == 'public.accounts' }.error", equalTo(null)));
    }

    @Test
    void aRowTheTargetRefusedInTheBackfillPausesItsTableAndResumeCopiesItAgainOnceTheColumnIsWidened() throws Exception {
        String error = awaitPaused("public.labels");
        assertTrue(error.contains("Table public.labels, key {id=2}, in the backfill at snapshot LSN "), error);
        assertTrue(error.contains("POST /tables/public.labels/resume"), error);
        try (Connection source = source(); Connection target = target()) {
            Sql.exec(source, "INSERT INTO labels VALUES (4, 'while')", "UPDATE labels SET name = 'one' WHERE id = 1");
            Sql.exec(target, widenLabelsName()); // the advised remedy
        }
        authorized().post("/tables/public.labels/resume").then().statusCode(202)
                .body("table", equalTo("public.labels")).body("state", equalTo("COPYING"));
        awaitSame("SELECT id, name FROM labels ORDER BY id");
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE labels SET name = 'two' WHERE id = 2", "DELETE FROM labels WHERE id = 3");
        }
        awaitSame("SELECT id, name FROM labels ORDER BY id");
        await().atMost(CONVERGE).untilAsserted(() -> given().get("/status").then()
                .body("tables.find { it.table == 'public.labels' }.state", equalTo("STREAMING")));
    }

    @Test
    void resumeOfATableThatIsNotReplicatedIs404Json() {
        authorized().post("/tables/public.nope/resume").then().statusCode(404).contentType("application/json")
                .body("error", equalTo("Not Found")).body("detail", containsString("public.notes"));
    }

    @Test
    void resumeOfATableThatIsNotPausedIs409Json() {
        authorized().post("/tables/public.notes/resume").then().statusCode(409).contentType("application/json")
                .body("error", equalTo("Conflict")).body("detail", containsString("public.notes is not paused"));
    }

    @Test
    void resumeWithAWrongTokenIs401() {
        given().header("Authorization", "Bearer wrong").post("/tables/public.prices/resume").then().statusCode(401)
                .body("error", equalTo("Unauthorized"));
    }

    /** Rows 1 (fits), 2 (does not fit) and 3 (fits) into prices, once; returns the pause's error. */
    private String pricesPaused() throws Exception {
        try (Connection source = source()) {
            if (Sql.count(source, "prices") == 0) {
                Sql.exec(source, "INSERT INTO prices VALUES (1, 1.5)", "INSERT INTO prices VALUES (2, " + poisonAmount() + ")",
                        "INSERT INTO prices VALUES (3, 2.5)");
            }
        }
        return awaitPaused("public.prices");
    }

    private static String awaitPaused(String table) {
        String path = "tables.find { it.table == '" + table + "' }";
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> given().get("/status").then().body(path + ".state", equalTo("PAUSED")));
        return given().get("/status").path(path + ".error");
    }

    private void awaitSame(String query) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> {
                    try (Connection source = source(); Connection target = target()) {
                        Sql.assertSameRows(Sql.rows(source, query), Sql.rows(target, query));
                    }
                });
    }

    private static RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + PoisonTestResource.API_TOKEN);
    }

    private Connection source() throws Exception {
        return servers.postgres.connect(database());
    }

    private Connection target() throws Exception {
        return engine().connect(database());
    }
}
