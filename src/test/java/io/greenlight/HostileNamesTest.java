package io.greenlight;

import io.greenlight.testing.HostileNamesTestResource;
import io.greenlight.testing.Pipelines;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static io.greenlight.testing.HostileNamesTestResource.INJECTION;
import static io.greenlight.testing.HostileNamesTestResource.LONGEST_COLUMN;
import static io.greenlight.testing.HostileNamesTestResource.LONGEST_TABLE;
import static io.greenlight.testing.HostileNamesTestResource.QUOTES;
import static io.greenlight.testing.HostileNamesTestResource.TABLES;
import static io.greenlight.testing.HostileNamesTestResource.UNICODE;
import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Tables and columns with hostile names replicate exactly through snapshot, inserts, updates and
 * deletes, verify, and keep their names intact in /status and metric tags. Run against each
 * target engine by {@link HostileNamesMariaDbTest} and {@link HostileNamesPostgresTest}.
 */
abstract class HostileNamesTest {

    /** The engine of the target database. */
    protected abstract io.greenlight.testing.TargetDatabase engine();

    /** The source and target database of the suite's test resource. */
    protected abstract String database();

    private final TestServers servers = TestServers.get();

    @BeforeEach
    void pipelineIsStreaming() {
        Pipelines.awaitStreaming();
    }

    @Test
    void snapshotCopiesEveryHostilelyNamedTableExactly() {
        for (List<String> table : TABLES) {
            awaitSame(table.get(0), table.get(1));
        }
    }

    @Test
    void insertsUpdatesAndDeletesArriveInTablesWithHostileNames() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source,
                    "INSERT INTO \"" + INJECTION + "\" VALUES (3, 'x'';DROP TABLE y;--', '\"', '名', 3)",
                    "UPDATE \"" + INJECTION + "\" SET \"we`ird \"\"col\"\"\" = 'changed', \"MixedCase\" = 10 WHERE \"select\" = 1",
                    "DELETE FROM \"" + INJECTION + "\" WHERE \"select\" = 2",
                    "INSERT INTO \"user\" VALUES (2, 'users', 2, 'y')", "UPDATE \"user\" SET \"order\" = 5 WHERE \"key\" = 1",
                    "INSERT INTO \"CamelCase\" VALUES (2, 'UPPER 2')", "DELETE FROM camelcase WHERE id = 1",
                    "INSERT INTO camelcase VALUES (3, 'lower 3')",
                    "UPDATE \"quo\"\"te`back\" SET \"a\"\"b`c\" = 7 WHERE \"a\"\"b`c\" = 1",
                    "INSERT INTO \"" + UNICODE + "\" VALUES (2, '大阪')", "UPDATE \"" + UNICODE + "\" SET \"名前\" = '京都' WHERE \"ïd\" = 1",
                    "INSERT INTO \"" + LONGEST_TABLE + "\" VALUES (2, 'two')",
                    "UPDATE \"" + LONGEST_TABLE + "\" SET v = 'longer' WHERE \"" + LONGEST_COLUMN + "\" = 1");
        }
        for (List<String> table : TABLES) {
            awaitSame(table.get(0), table.get(1));
        }
    }

    @Test
    void verifyComparesHostilelyNamedTablesAndFindsThemEqual() {
        for (List<String> table : TABLES) {
            awaitSame(table.get(0), table.get(1));
        }
        String id = given().header("Authorization", "Bearer " + HostileNamesTestResource.TOKEN).contentType("application/json").body("{}")
                .post("/verify").then().statusCode(202).extract().path("id");
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300))
                .until(() -> !given().get("/verify/" + id).path("state").toString().matches("PENDING|RUNNING"));
        given().get("/verify/" + id).then().body("state", equalTo("PASSED")).body("result.matches", equalTo(true))
                .body("result.mismatchedRows", equalTo(0));
    }

    @Test
    void statusAndMetricsCarryTheNamesIntact() {
        awaitSame(QUOTES, "a\"b`c");
        given().get("/status").then().body("tables.table", containsInAnyOrder(TABLES.stream()
                .map(t -> "public." + t.get(0)).toArray()));
        // Prometheus escapes a double quote in a label value as \"
        given().get("/q/metrics").then()
                .body(containsString("cdc_events_captured_total{op=\"read\",table=\"public." + INJECTION + "\"}"))
                .body(containsString("table=\"public.quo\\\"te`back\"}"))
                .body(containsString("table=\"public." + UNICODE + "\"}"))
                .body(containsString("greenlight_table_paused{table=\"public." + LONGEST_TABLE + "\"} 0.0"));
    }

    private void awaitSame(String table, String key) {
        String sourceQuery = "SELECT * FROM \"" + table.replace("\"", "\"\"") + "\" ORDER BY \"" + key.replace("\"", "\"\"") + "\"";
        String targetQuery = engine() == io.greenlight.testing.TargetEngine.POSTGRES ? sourceQuery
                : "SELECT * FROM `" + table.replace("`", "``") + "` ORDER BY `" + key.replace("`", "``") + "`";
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
