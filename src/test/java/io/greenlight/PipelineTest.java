package io.greenlight;

import io.greenlight.testing.GreenlightTestResource;
import io.greenlight.testing.Pipelines;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The live pipeline against real PostgreSQL and Kafka: snapshot, then streaming. One suite, run
 * against each target engine by {@link PipelineMariaDbTest} and {@link PipelinePostgresTest}.
 */
abstract class PipelineTest {

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
    void snapshotCopiesEveryPreexistingRowExactly() {
        String columns = "id, name, email, balance, created, active";
        awaitEqual("SELECT " + columns + " FROM customers ORDER BY id", "SELECT " + columns + " FROM customers ORDER BY id");
    }

    @Test
    void streamedInsertsUpdatesAndDeletesArriveInOrder() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source,
                    "INSERT INTO orders SELECT g, g % 50, 'new', g * 10.5, timestamp '2025-02-28 23:59:59.123456' + g * interval '1 day' FROM generate_series(1, 300) g",
                    "UPDATE orders SET status = 'paid', total = total + 0.01 WHERE id % 3 = 0",
                    "DELETE FROM orders WHERE id % 10 = 0",
                    "UPDATE orders SET status = 'shipped' WHERE id = 1",
                    "UPDATE orders SET status = 'delivered' WHERE id = 1");
        }
        String query = "SELECT id, customer_id, status, total, placed_at FROM orders ORDER BY id";
        awaitEqual(query, query);
        try (Connection target = target()) {
            assertEquals(List.of(List.of("delivered")), Sql.rows(target, "SELECT status FROM orders WHERE id = 1"));
            assertEquals(270, Sql.count(target, "orders"));
        }
    }

    @Test
    void truncateOnTheSourceEmptiesTheTargetTable() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO audit_log SELECT g, 'before truncate ' || g FROM generate_series(1, 50) g");
            awaitEqual("SELECT count(*) FROM audit_log", "SELECT count(*) FROM audit_log");
            Sql.exec(source, "TRUNCATE audit_log", "INSERT INTO audit_log VALUES (1000, 'after truncate')");
        }
        awaitEqual("SELECT id, message FROM audit_log ORDER BY id", "SELECT id, message FROM audit_log ORDER BY id");
    }

    @Test
    void keylessTableUpdatesAndDeletesTouchExactlyOneMatchingRow() throws Exception {
        try (Connection source = source()) {
            Sql.exec(source,
                    "INSERT INTO tags VALUES ('red', 1), ('red', 1), ('blue', 2), ('green', NULL)",
                    "UPDATE tags SET weight = 5 WHERE name = 'blue'",
                    "DELETE FROM tags WHERE ctid = (SELECT min(ctid) FROM tags WHERE name = 'red')",
                    "UPDATE tags SET weight = 7 WHERE name = 'green'");
        }
        String query = "SELECT name, weight FROM tags ORDER BY name, weight";
        awaitEqual(query, query);
    }

    @Test
    void statusReportsPhaseAndPerTableCounts() {
        awaitEqual("SELECT count(*) FROM customers", "SELECT count(*) FROM customers");
        given().get("/status").then().statusCode(200)
                .body("phase", equalTo("STREAMING"))
                .body("failure", equalTo(null))
                .body("tables.table", hasItem("public.customers"))
                .body("tables.find { it.table == 'public.customers' }.captured", equalTo(500))
                .body("tables.find { it.table == 'public.customers' }.applied", equalTo(500))
                .body("toString()", org.hamcrest.Matchers.not(containsString("password")));
    }

    @Test
    void metricsExposeCapturedAndAppliedEventCounters() {
        awaitEqual("SELECT count(*) FROM customers", "SELECT count(*) FROM customers");
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("cdc_events_captured_total{op=\"read\",table=\"public.customers\"} 500.0"))
                .body(containsString("cdc_events_applied_total{op=\"read\",table=\"public.customers\"} 500.0"));
    }

    @Test
    void readinessIsUpWhenSourceKafkaAndTargetAreReachable() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    private void awaitEqual(String sourceQuery, String targetQuery) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
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
