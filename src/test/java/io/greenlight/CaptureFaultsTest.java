package io.greenlight;

import io.greenlight.testing.FaultsTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.greenlight.testing.WriteLoad;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real source PostgreSQL and the real Kafka broker (the external one this app points at)
 * restarted under a write load: capture and apply resume by themselves, nothing is lost or
 * applied twice. Then slot safety: a normal stop keeps the slot; a slot dropped or recreated
 * behind Greenlight's back stops capture with the position and the remedies; cleanup after the
 * migration. The slot tests run last: they leave capture refused.
 */
@QuarkusTest
@WithTestResource(FaultsTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CaptureFaultsTest {

    private static final String DB = FaultsTestResource.DATABASE;
    private static final String SLOT = "greenlight_" + DB;
    private final TestServers servers = TestServers.get();

    @Inject
    Pipeline pipeline;

    @BeforeEach
    void javaDriver() throws Exception {
        Class.forName("org.postgresql.Driver");
    }

    @Test
    @Order(1)
    void sourcePostgresRestartedUnderLoadCaptureResumesFromItsSlotWithoutLossOrDuplicates() throws Exception {
        awaitStreamingWithLowLag();
        try (WriteLoad load = WriteLoad.start(servers.postgres, DB)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> load.committed() > 300);
            servers.postgres.stopProcess();
            Thread.sleep(3000); // the source stays down a while: capture, heartbeats and the writer all see it
            servers.postgres.startProcess();
            long atRestart = load.committed();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.committed() > atRestart + 300);
        }
        awaitConverged();
        awaitStreamingWithLowLag();
        given().get("/status").then().body("captureRunning", equalTo(true)).body("failure", equalTo(null));
        // The slot-lag poller reads the restarted source again (-1 would mean it cannot).
        await().atMost(Duration.ofSeconds(30)).until(() ->
                given().get("/status").then().extract().jsonPath().getLong("lag.replicationSlotBytes") >= 0);
    }

    @Test
    @Order(2)
    void kafkaBrokerRestartedUnderLoadCaptureAndApplyResumeWithoutLossOrDuplicates() throws Exception {
        awaitStreamingWithLowLag();
        try (WriteLoad load = WriteLoad.start(servers.postgres, DB)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> load.committed() > 300);
            servers.stopKafka();
            long atStop = load.committed();
            try {
                // Writes go on for ~20 s with no broker: capture must hold them, not drop a batch.
                await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ofSeconds(20)).until(() -> load.committed() > atStop + 300);
                assertTrue(lag() > 10, "lag shows the stalled pipeline: " + lag());
            } finally {
                servers.startKafka();
            }
            long atStart = load.committed();
            await().atMost(Duration.ofSeconds(90)).until(() -> load.committed() > atStart + 300);
        }
        awaitConverged();
        awaitStreamingWithLowLag();
        given().get("/status").then().body("captureRunning", equalTo(true)).body("failure", equalTo(null));
    }

    @Test
    @Order(3)
    void aNormalStopKeepsTheSlotAndItsPositionAndCaptureResumesFromIt() throws Exception {
        awaitStreamingWithLowLag();
        pipeline.stop();
        try (Connection source = servers.postgres.connect(DB)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> slotInactive(source));
            assertEquals(1, Sql.count(source, "pg_replication_slots WHERE slot_name = '" + SLOT + "' AND confirmed_flush_lsn IS NOT NULL"));
            Sql.exec(source, "INSERT INTO ledger SELECT -g, 0, g FROM generate_series(1, 100) g");
        }
        pipeline.start();
        awaitConverged();
        awaitStreamingWithLowLag();
    }

    @Test
    @Order(4)
    void cleanupBeforeACompletedCutoverIsRefusedAndDropsNothing() throws Exception {
        given().auth().oauth2(FaultsTestResource.API_TOKEN).contentType("application/json").body("{}")
                .post("/source/cleanup").then().statusCode(409)
                .body("error", equalTo("Conflict")).body("detail", containsString("not COMPLETED"));
        try (Connection source = servers.postgres.connect(DB)) {
            assertEquals(1, Sql.count(source, "pg_replication_slots WHERE slot_name = '" + SLOT + "'"));
        }
        given().get("/status").then().body("phase", equalTo("STREAMING"));
    }

    @Test
    @Order(5)
    void aSlotDroppedWhileCapturingStopsThePipelineFailedWithThePositionAndRemedies() throws Exception {
        awaitStreamingWithLowLag();
        try (Connection source = servers.postgres.connect(DB)) {
            // Someone kicks Greenlight's reader off the slot and drops it before capture reconnects.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Sql.exec(source, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + SLOT + "' AND active");
                try {
                    Sql.exec(source, "SELECT pg_drop_replication_slot('" + SLOT + "')");
                    return true;
                } catch (java.sql.SQLException e) {
                    return false; // still active: the walsender has not exited yet
                }
            });
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> "FAILED".equals(given().get("/status").path("phase")));
            given().get("/status").then().body("failure.component", equalTo("capture"))
                    .body("failure.reason", containsString("Replication slot " + SLOT + " is gone"))
                    .body("failure.reason", containsString("To start over"))
                    .body("captureRunning", equalTo(false));
            // Capture did not come back and recreate the slot behind the failure.
            Thread.sleep(3000);
            assertEquals(0, Sql.count(source, "pg_replication_slots WHERE slot_name = '" + SLOT + "'"));
        }
    }

    @Test
    @Order(6)
    void aStartWithTheSlotGoneIsRefusedNamingTheStoredPosition() throws Exception {
        pipeline.stop();
        pipeline.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> "FAILED".equals(given().get("/status").path("phase")));
        given().get("/status").then().body("failure.component", equalTo("startup"))
                .body("failure.reason", containsString("Replication slot " + SLOT + " is gone but Greenlight has replicated from it up to LSN"))
                .body("failure.reason", containsString(DB + ".__source-offsets"));
        try (Connection source = servers.postgres.connect(DB)) {
            assertEquals(0, Sql.count(source, "pg_replication_slots WHERE slot_name = '" + SLOT + "'"));
        }
    }

    @Test
    @Order(7)
    void aStartFromARecreatedSlotThatBeginsAfterTheStoredPositionIsRefused() throws Exception {
        pipeline.stop();
        try (Connection source = servers.postgres.connect(DB)) {
            Sql.exec(source, "INSERT INTO ledger VALUES (-1000, 0, 0)", // a change that the new slot cannot deliver
                    "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        }
        pipeline.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> "FAILED".equals(given().get("/status").path("phase")));
        given().get("/status").then().body("failure.reason", containsString("Replication slot " + SLOT + " starts at LSN"))
                .body("failure.reason", containsString("dropped and recreated"));
    }

    @Test
    @Order(8)
    void forcedCleanupDropsTheSlotPublicationDdlTriggersAndHeartbeatTableOnceAndIsIdempotent() throws Exception {
        given().auth().oauth2(FaultsTestResource.API_TOKEN).contentType("application/json").body("{\"force\": true}")
                .post("/source/cleanup").then().statusCode(200).body("forced", equalTo(true))
                .body("result.dropped", hasItems("replication slot " + SLOT, "publication " + SLOT,
                        "event triggers greenlight_ddl_command_end, greenlight_ddl_sql_drop, greenlight_ddl_command_start and "
                                + "their functions (DDL capture)", "table greenlight.greenlight_heartbeat", "schema greenlight"))
                .body("result.kept", empty());
        try (Connection source = servers.postgres.connect(DB)) {
            assertEquals(0, Sql.count(source, "pg_replication_slots WHERE slot_name = '" + SLOT + "'"));
            assertEquals(0, Sql.count(source, "pg_publication WHERE pubname = '" + SLOT + "'"));
            assertEquals(0, Sql.count(source, "pg_namespace WHERE nspname = 'greenlight'"));
            assertEquals(0, Sql.count(source, "pg_event_trigger"));
        }
        given().auth().oauth2(FaultsTestResource.API_TOKEN).contentType("application/json").body("{\"force\": true}")
                .post("/source/cleanup").then().statusCode(200).body("result.dropped", empty());
        given().auth().oauth2("wrong").contentType("application/json").body("{\"force\": true}")
                .post("/source/cleanup").then().statusCode(401);
    }

    private boolean slotInactive(Connection source) throws Exception {
        return Sql.rows(source, "SELECT active FROM pg_replication_slots WHERE slot_name = ?", SLOT).equals(List.of(List.of("0")));
    }

    private void awaitConverged() {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .failFast("the pipeline FAILED", () -> "FAILED".equals(given().get("/status").path("phase")))
                .untilAsserted(() -> WriteLoad.assertConverged(servers.postgres, servers.mariadb, DB));
    }

    private static void awaitStreamingWithLowLag() {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .failFast("the pipeline FAILED", () -> "FAILED".equals(given().get("/status").path("phase")))
                .until(() -> "STREAMING".equals(given().get("/status").path("phase")) && lag() < 3.0);
    }

    private static double lag() {
        return given().get("/status").then().extract().jsonPath().getDouble("lag.endToEndSeconds");
    }
}
