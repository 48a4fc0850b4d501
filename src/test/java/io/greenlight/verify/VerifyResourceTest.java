package io.greenlight.verify;

import io.greenlight.testing.GreenlightTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /verify and GET /verify/{id} on the running service, including a verification under live writes. */
@QuarkusTest
@WithTestResource(GreenlightTestResource.class)
class VerifyResourceTest {

    private final TestServers servers = TestServers.get();

    @BeforeEach
    void pipelineIsStreamingAndCaughtUp() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("the pipeline FAILED", () -> "FAILED".equals(given().get("/status").path("phase")))
                .until(() -> "STREAMING".equals(given().get("/status").path("phase")));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().get("/status").jsonPath().getDouble("lag.endToEndSeconds") < 2.0);
    }

    private static RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + GreenlightTestResource.API_TOKEN).contentType(ContentType.JSON);
    }

    private static ValidatableResponse awaitDone(String id) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> !given().get("/verify/" + id).path("state").toString().matches("PENDING|RUNNING"));
        return given().get("/verify/" + id).then().statusCode(200);
    }

    @Test
    void tokenTablesConflictAndProgress() throws Exception {
        given().contentType(ContentType.JSON).body("{}").post("/verify").then().statusCode(401)
                .body("error", equalTo("Unauthorized")).body("detail", containsString("bearer token"));
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body("{}").post("/verify")
                .then().statusCode(401).body("error", equalTo("Unauthorized"));
        authorized().body("{\"tables\": [\"public.nope\", \"orders\", \"greenlight.greenlight_heartbeat\"]}").post("/verify")
                .then().statusCode(400).body("error", equalTo("Bad Request"))
                .body("detail", org.hamcrest.Matchers.startsWith(
                        "Unknown table(s): public.nope, greenlight.greenlight_heartbeat. Greenlight replicates: "));
        authorized().body("{\"chunkSize\": 0}").post("/verify").then().statusCode(400);
        given().get("/verify/no-such-id").then().statusCode(404).body("error", equalTo("Not Found"));

        // Hold a lock on the source so the verification stays RUNNING while we look at it.
        try (Connection lock = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
            lock.setAutoCommit(false);
            Sql.exec(lock, "LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE");
            String id = authorized().body("{\"tables\": [\"public.audit_log\", \"customers\"], \"chunkSize\": 50}")
                    .post("/verify").then().statusCode(202)
                    .body("id", notNullValue()).body("state", isOneOf("PENDING", "RUNNING"))
                    .body("chunkSize", equalTo(50)).extract().path("id");
            authorized().body("{}").post("/verify").then().statusCode(409)
                    .body("error", equalTo("Conflict")).body("id", equalTo(id)).body("detail", containsString(id));
            given().get("/verify/" + id).then().statusCode(200)
                    .body("state", isOneOf("PENDING", "RUNNING")).body("progress.tablesTotal", equalTo(2))
                    .body("result", equalTo(null));
            lock.rollback();
            awaitDone(id).body("state", equalTo("PASSED"))
                    .body("progress.tablesDone", equalTo(2))
                    .body("progress.rowsCompared", greaterThan(499))
                    .body("progress.rowsPerSecond", notNullValue())
                    .body("result.matches", is(true)).body("result.mismatchedRows", equalTo(0))
                    .body("result.tables.table", org.hamcrest.Matchers.contains("public.audit_log", "public.customers"))
                    .body("result.tables[1].sourceRows", equalTo(500));
        }
        assertTrue(given().get("/q/metrics").asString().contains("greenlight_verify_mismatched_rows 0.0"));
    }

    @Test
    void liveWritesDuringVerificationAreNotMismatchesButTrueDifferencesAre() throws Exception {
        try (Connection source = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
            Sql.exec(source, "INSERT INTO orders SELECT g, g % 50, 'new', g * 1.25, timestamp '2025-01-01' + g * interval '1 second'"
                    + " FROM generate_series(900000, 903999) g ON CONFLICT DO NOTHING");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (Connection s = servers.postgres.connect(GreenlightTestResource.DATABASE);
                 Connection t = servers.mariadb.connect(GreenlightTestResource.DATABASE)) {
                return Sql.count(s, "orders") == Sql.count(t, "orders");
            }
        });
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Connection source = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
                long next = 910000;
                while (writing.get()) {
                    int id = 900000 + ThreadLocalRandom.current().nextInt(4000);
                    Sql.exec(source, "UPDATE orders SET status = 'paid', total = total + 0.01 WHERE id = " + id,
                            "INSERT INTO orders VALUES (" + next + ", 1, 'live', 9.99, now()::timestamp)",
                            "DELETE FROM orders WHERE id = " + (next - 3));
                    next++;
                    writes.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "live-writer");
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> writes.get() > 20);
            String id = authorized().body("{\"chunkSize\": 100}").post("/verify").then().statusCode(202).extract().path("id");
            awaitDone(id).body("state", equalTo("PASSED")).body("result.mismatchedRows", equalTo(0));
            long before = writes.get();
            assertTrue(before > 20, "writes happened during the verification");
        } finally {
            writing.set(false);
            writer.join(10_000);
        }

        // Once the target holds the row's final source state no older change of it can arrive (apply
        // is ordered per key), so the tampering below is not overwritten by a late update.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (Connection s = servers.postgres.connect(GreenlightTestResource.DATABASE);
                 Connection t = servers.mariadb.connect(GreenlightTestResource.DATABASE)) {
                String row = "SELECT concat(status, '/', total) FROM orders WHERE id = 900007";
                return Sql.rows(s, row).equals(Sql.rows(t, row));
            }
        });
        // A true difference (written to the target behind the pipeline's back) is still reported.
        try (Connection target = servers.mariadb.connect(GreenlightTestResource.DATABASE)) {
            Sql.exec(target, "UPDATE orders SET status = 'tampered' WHERE id = 900007");
        }
        String id = authorized().body("{\"tables\": [\"public.orders\"]}").post("/verify").then().statusCode(202).extract().path("id");
        ValidatableResponse report = awaitDone(id).body("state", equalTo("FAILED"))
                .body("result.mismatchedRows", equalTo(1))
                .body("result.tables[0].samples[0].key", equalTo("id=900007"))
                .body("result.tables[0].samples[0].kind", equalTo("differing"))
                .body("result.tables[0].samples[0].columns", org.hamcrest.Matchers.contains("status"));
        assertEquals(1, report.extract().jsonPath().getInt("result.tables[0].differingRows"));
        assertTrue(given().get("/q/metrics").asString().contains("greenlight_verify_mismatched_rows 1.0"));
        try (Connection source = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
            // Let the pipeline repair the row for whoever runs next.
            Sql.exec(source, "UPDATE orders SET status = status || '' , total = total + 0 WHERE id = 900007");
        }
    }
}
