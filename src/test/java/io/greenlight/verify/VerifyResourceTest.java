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

    @Test
    void progressStatesRowsEstimatedAndComparedRateEtaAndEachTablesState() throws Exception {
        try (Connection source = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
            Sql.exec(source, "INSERT INTO audit_log SELECT g, 'entry ' || g FROM generate_series(1, 300) g ON CONFLICT DO NOTHING",
                    "ANALYZE customers", "ANALYZE audit_log");
        }
        awaitSameCount("audit_log");
        try (Connection lock = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
            lock.setAutoCommit(false);
            Sql.exec(lock, "LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE"); // customers finishes, audit_log waits
            String id = authorized().body("{\"tables\": [\"customers\", \"audit_log\"], \"chunkSize\": 50}")
                    .post("/verify").then().statusCode(202).extract().path("id");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "DONE".equals(given().get("/verify/" + id).path("progress.tables[0].state")));
            given().get("/verify/" + id).then().statusCode(200).body("state", equalTo("RUNNING"))
                    .body("progress.tables[0].table", equalTo("public.customers"))
                    .body("progress.tables[0].rows", equalTo(500)).body("progress.tables[0].counted", is(true))
                    .body("progress.tables[0].rowsCompared", equalTo(500))
                    .body("progress.tables[1].table", equalTo("public.audit_log"))
                    .body("progress.tables[1].state", equalTo("COMPARING"))
                    .body("progress.tables[1].rows", equalTo(300)).body("progress.tables[1].counted", is(false))
                    .body("progress.rowsTotal", equalTo(800)).body("progress.rowsCompared", equalTo(500))
                    .body("progress.rowsPerSecond", greaterThan(0))
                    .body("progress.etaSeconds", notNullValue());
            lock.rollback();
            awaitDone(id).body("state", equalTo("PASSED"))
                    .body("progress.tables.state", org.hamcrest.Matchers.everyItem(equalTo("DONE")))
                    .body("progress.tables[1].counted", is(true))
                    .body("progress.rowsTotal", equalTo(800)).body("progress.rowsCompared", equalTo(800))
                    .body("progress.etaSeconds", equalTo(0));
        }
    }

    /**
     * A bound cuts a verification blocked on a lock: it stops (its blocked read cancelled) soon after
     * the bound, TIMED_OUT, with the finished table's verdict, mismatch included, and the table it had
     * no time for named. Resuming compares only that table: the target row repaired meanwhile still
     * shows as found in the first attempt.
     */
    @Test
    void aVerificationPastMaxDurationStopsTimedOutAndResumeComparesOnlyTheTablesLeft() throws Exception {
        authorized().body("{\"maxDurationSeconds\": 0}").post("/verify").then().statusCode(400)
                .body("detail", containsString("maxDurationSeconds must be a positive number"));
        try (Connection target = servers.mariadb.connect(GreenlightTestResource.DATABASE)) {
            Sql.exec(target, "UPDATE customers SET name = 'tampered' WHERE id = 7");
        }
        String id;
        try (Connection lock = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
            lock.setAutoCommit(false);
            Sql.exec(lock, "LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE");
            id = authorized().body("{\"tables\": [\"customers\", \"audit_log\"], \"chunkSize\": 50, \"maxDurationSeconds\": 8}")
                    .post("/verify").then().statusCode(202).body("maxDurationSeconds", equalTo(8)).extract().path("id");
            String started = id;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !given().get("/verify/" + started).path("state").toString().matches("PENDING|RUNNING"));
            ValidatableResponse stopped = given().get("/verify/" + id).then().statusCode(200).body("state", equalTo("TIMED_OUT"))
                    .body("result.matches", is(false))
                    .body("result.tables.table", org.hamcrest.Matchers.contains("public.customers"))
                    .body("result.tables[0].mismatchedRows", equalTo(1))
                    .body("result.tables[0].samples[0].key", equalTo("id=7"))
                    .body("result.notCompared", org.hamcrest.Matchers.contains("public.audit_log"))
                    .body("progress.tables[1].state", equalTo("NOT_COMPARED"))
                    .body("stopReason", containsString("maxDurationSeconds=8"))
                    .body("stopReason", containsString("not compared: public.audit_log"))
                    .body("stopReason", containsString("POST /verify {\"resume\": \"" + id + "\"}"));
            java.time.Instant created = java.time.Instant.parse(stopped.extract().path("createdAt"));
            java.time.Instant finished = java.time.Instant.parse(stopped.extract().path("finishedAt"));
            double seconds = Duration.between(created, finished).toMillis() / 1000.0;
            assertTrue(seconds < 8 + 15, "stopped " + seconds + " s after the start, bound 8 s");
            // The read blocked on the lock was cancelled, not left waiting on the source.
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                try (Connection look = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
                    return Sql.rows(look, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            + "AND query LIKE '%audit_log%'").equals(java.util.List.of(java.util.List.of("0")));
                }
            });
            lock.rollback();
        }
        try (Connection source = servers.postgres.connect(GreenlightTestResource.DATABASE)) {
            Sql.exec(source, "UPDATE customers SET name = name || '' WHERE id = 7"); // the pipeline repairs the row
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (Connection t = servers.mariadb.connect(GreenlightTestResource.DATABASE)) {
                return !Sql.rows(t, "SELECT name FROM customers WHERE id = 7").toString().contains("tampered");
            }
        });
        authorized().body("{\"resume\": \"" + id + "\", \"chunkSize\": 10}").post("/verify").then().statusCode(400);
        authorized().body("{\"resume\": \"" + id + "\"}").post("/verify").then().statusCode(202)
                .body("id", equalTo(id)).body("attempts", equalTo(2));
        awaitDone(id).body("state", equalTo("FAILED"))
                .body("result.tables.table", org.hamcrest.Matchers.contains("public.customers", "public.audit_log"))
                .body("result.tables[0].mismatchedRows", equalTo(1)) // from the first attempt: customers was not compared again
                .body("result.tables[1].mismatchedRows", equalTo(0))
                .body("result.notCompared", org.hamcrest.Matchers.empty())
                .body("stopReason", equalTo(null));
        // The gauge holds the whole verification's mismatches, not only the last attempt's tables.
        assertTrue(given().get("/q/metrics").asString().contains("greenlight_verify_mismatched_rows 1.0"));
        authorized().body("{\"resume\": \"" + id + "\"}").post("/verify").then().statusCode(409)
                .body("detail", containsString("is FAILED; only TIMED_OUT or INTERRUPTED ones continue"));
        authorized().body("{\"resume\": \"no-such-verification\"}").post("/verify").then().statusCode(409)
                .body("detail", containsString("No verification no-such-verification"));
    }

    private void awaitSameCount(String table) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (Connection s = servers.postgres.connect(GreenlightTestResource.DATABASE);
                 Connection t = servers.mariadb.connect(GreenlightTestResource.DATABASE)) {
                return Sql.count(s, table) == Sql.count(t, table);
            }
        });
    }
}
