package io.greenlight;

import io.greenlight.kafka.KafkaClients;
import io.greenlight.kafka.TopicNames;
import io.greenlight.schema.TableId;
import io.greenlight.testing.LostChangesTestResource;
import io.greenlight.testing.Pipelines;
import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Changes Kafka deleted before they were applied (retention ran out while a table was paused)
 * stop apply loudly, naming topic, partition, the lost offsets and the remedy; the remedy,
 * POST /tables/{table}/recopy, copies the table again and apply goes on from there.
 */
@QuarkusTest
@WithTestResource(LostChangesTestResource.class)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class LostChangesTest {

    private static final TestServers SERVERS = TestServers.get();
    private static final String TOPIC = new TopicNames(LostChangesTestResource.DATABASE).table(new TableId("public", "prices"));

    /**
     * Before anything else, with Debezium's initial snapshot half done: a_first is copied, b_second's
     * read waits for a lock for 3 s, then it is copied, c_third's read still waits. The snapshot's rows are as
     * old as the snapshot, so lag counts from its start (at least since a_first arrived). Each row
     * counted at the time it was read, so lag read about 0 right after b_second arrived while c_third
     * was still empty. Reads /q/metrics only: the phase test below needs /status unread.
     */
    @Test
    @org.junit.jupiter.api.Order(0)
    void whileTheInitialSnapshotRunsLagCountsFromItsStartNotFromTheLastTableRead() throws Exception {
        try {
            // Debezium holds each table's last row back until the next table's first (it marks the snapshot's last row).
            awaitRowsOnTarget("a_first", 1);
            long firstCopied = System.nanoTime();
            assertEquals(0, rowsOnTarget("b_second"), "b_second waits behind its lock");
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true); // the snapshot is 3 s old
            try (Connection source = source()) {
                LostChangesTestResource.release(source, "b_second");
            }
            awaitRowsOnTarget("b_second", 1);
            double lag = lagSeconds();
            double sinceFirst = (System.nanoTime() - firstCopied) / 1e9;
            assertEquals(0, rowsOnTarget("c_third"), "c_third is not snapshotted yet");
            assertTrue(lag >= sinceFirst - 1.0, "c_third is still empty on the target, so cdc_lag_seconds must count from the "
                    + "snapshot's start, at least the " + String.format("%.1f", sinceFirst) + " s since a_first arrived; it reads " + lag);
        } finally {
            try (Connection source = source()) {
                for (String table : LostChangesTestResource.HELD) {
                    LostChangesTestResource.release(source, table);
                }
            }
        }
        awaitRowsOnTarget("c_third", 2);
    }

    /** At least {@code rows} of {@code table} on the target. */
    private static void awaitRowsOnTarget(String table, long rows) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).until(() -> rowsOnTarget(table) >= rows);
    }

    private static long rowsOnTarget(String table) throws Exception {
        try (Connection target = target()) {
            return Sql.count(target, table);
        } catch (java.sql.SQLException notCreatedYet) {
            return -1;
        }
    }

    /** cdc_lag_seconds from /q/metrics, read without the test client's request logging. */
    private static double lagSeconds() throws Exception {
        java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port + "/q/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^cdc_lag_seconds (\\S+)$").matcher(metrics.body());
        assertTrue(m.find(), "cdc_lag_seconds is exported");
        return Double.parseDouble(m.group(1));
    }

    /** First: nothing has read GET /status yet. */
    @Test
    @org.junit.jupiter.api.Order(1)
    void thePhaseMovesFromSnapshotToStreamingWithoutAnyoneReadingStatus() {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> given().get("/q/metrics").then()
                .body(containsString("greenlight_pipeline_phase{phase=\"STREAMING\"} 1.0"))
                .body(containsString("greenlight_pipeline_phase{phase=\"SNAPSHOT\"} 0.0")));
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void changesDeletedByRetentionBeforeTheyWereAppliedStopApplyNamingTheLossAndRecopyRestoresTheTable() throws Exception {
        Pipelines.awaitStreaming();
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO prices VALUES (1, 1.5)",
                    "INSERT INTO prices VALUES (2, " + PoisonTestResource.TOO_PRECISE + ")");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().get("/status").then()
                .body("tables.find { it.table == 'public.prices' }.state", equalTo("PAUSED")));
        try (Connection source = source()) {
            Sql.exec(source, "UPDATE prices SET amount = 2.5 WHERE id = 2", "INSERT INTO prices VALUES (3, 3.5)");
        }
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        try (Admin admin = new KafkaClients(SERVERS.kafkaBootstrap, "test").admin()) {
            long end = await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).until(() -> admin
                    .listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset(), n -> n >= 4);
            // What retention does to a paused table's changes: the log starts after them.
            admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(end))).all().get(30, TimeUnit.SECONDS);
        }
        authorized().post("/tables/public.prices/resume").then().statusCode(202);

        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().get("/status").then()
                .body("phase", equalTo("FAILED")).body("failure.component", equalTo("apply")));
        given().get("/status").then()
                .body("failure.reason", containsString("Kafka topic " + TOPIC + " partition 0 starts at offset 4 but apply of "
                        + "public.prices needs offset 1 next: the changes at offsets 1..3 were deleted"))
                .body("failure.reason", containsString("POST /tables/public.prices/recopy"));

        authorized().post("/tables/public.prices/recopy").then().statusCode(202)
                .body("table", equalTo("public.prices")).body("state", equalTo("RECOPYING"));
        Pipelines.awaitStreaming();
        awaitSame("SELECT id, amount FROM prices ORDER BY id");
        try (Connection source = source()) {
            Sql.exec(source, "INSERT INTO prices VALUES (4, 4.5)", "UPDATE prices SET amount = 1.25 WHERE id = 1",
                    "INSERT INTO notes VALUES (2, 'after the recopy')");
        }
        awaitSame("SELECT id, amount FROM prices ORDER BY id");
        awaitSame("SELECT id, body FROM notes ORDER BY id");
    }

    @Test
    void recopyOfATableThatIsNotReplicatedIs404Json() {
        authorized().post("/tables/public.nope/recopy").then().statusCode(404).contentType("application/json")
                .body("detail", containsString("public.prices"));
    }

    private static void awaitSame(String query) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> {
                    try (Connection source = source(); Connection target = target()) {
                        Sql.assertSameRows(Sql.rows(source, query), Sql.rows(target, query));
                    }
                });
    }

    private static RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + LostChangesTestResource.API_TOKEN);
    }

    private static Connection source() throws Exception {
        return SERVERS.postgres.connect(LostChangesTestResource.DATABASE);
    }

    private static Connection target() throws Exception {
        return SERVERS.mariadb.connect(LostChangesTestResource.DATABASE);
    }
}
