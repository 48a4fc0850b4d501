package io.greenlight;

import io.greenlight.testing.FaultsTestResource;
import io.greenlight.testing.LostCaptureOffsetsTestResource;
import io.greenlight.testing.Pipelines;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.greenlight.testing.WriteLoad;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The embedded broker's data-dir lost (a pod rescheduled onto a fresh ephemeral volume): the
 * broker log and capture's source offsets are gone, capture would start at the slot's confirmed
 * position. With everything applied that is harmless and Greenlight goes on; with changes published
 * but not applied, the start is refused naming the gap, and POST /tables/recopy recovers.
 */
@QuarkusTest
@WithTestResource(LostCaptureOffsetsTestResource.class)
class LostCaptureOffsetsTest {

    private static final String DB = LostCaptureOffsetsTestResource.DATABASE;
    private final TestServers servers = TestServers.get();

    @Inject
    Pipeline pipeline;

    @Test
    void lostCaptureOffsetsWithUnappliedChangesRefuseTheStartAndRecopyRecovers() throws Exception {
        awaitCaughtUp();
        try (Connection lock = servers.mariadb.connect(DB)) {
            // Apply blocks on a row lock while capture publishes on and confirms the slot past it.
            lock.setAutoCommit(false);
            Sql.rows(lock, "SELECT id FROM accounts WHERE id = 1 FOR UPDATE");
            try (Connection source = servers.postgres.connect(DB)) {
                Sql.exec(source, "UPDATE accounts SET balance = balance + 10, note = 'published, never applied' WHERE id <= 20",
                        "INSERT INTO ledger VALUES (900001, 1, 10)");
            }
            // Capture confirmed the slot past the update's commit: the update is in Kafka (other databases of the
            // server write WAL too, so a slot that merely moved on may still be before it).
            long afterUpdate = currentWalLsn();
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).until(() -> confirmedFlush() >= afterUpdate);
            pipeline.discardEmbeddedBrokerData();
            lock.rollback();
        }
        pipeline.start();
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> given().get("/status").then()
                .body("phase", equalTo("FAILED")).body("failure.component", equalTo("startup")));
        given().get("/status").then()
                .body("failure.reason", containsString("Capture's source offsets are gone"))
                .body("failure.reason", containsString("were published to Kafka but never applied"))
                .body("failure.reason", containsString("POST /tables/recopy"));

        given().header("Authorization", "Bearer " + FaultsTestResource.API_TOKEN).post("/tables/recopy").then().statusCode(202);
        awaitCaughtUp();
        try (Connection source = servers.postgres.connect(DB)) {
            Sql.exec(source, "UPDATE accounts SET note = 'after recovery' WHERE id = 2", "INSERT INTO ledger VALUES (900002, 2, 20)");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> WriteLoad.assertConverged(servers.postgres, servers.mariadb, DB));
    }

    @Test
    void lostCaptureOffsetsWithEverythingAppliedStartAgainAndConverge() throws Exception {
        awaitCaughtUp();
        try (Connection source = servers.postgres.connect(DB)) {
            Sql.exec(source, "UPDATE accounts SET note = 'before the loss' WHERE id BETWEEN 30 AND 40",
                    "INSERT INTO ledger VALUES (900010, 3, 30)");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> WriteLoad.assertConverged(servers.postgres, servers.mariadb, DB));
        awaitCaughtUp();
        pipeline.discardEmbeddedBrokerData();
        pipeline.start();
        awaitCaughtUp();
        try (Connection source = servers.postgres.connect(DB)) {
            Sql.exec(source, "UPDATE accounts SET note = 'after the loss' WHERE id BETWEEN 35 AND 45",
                    "INSERT INTO ledger VALUES (900011, 4, 40)");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> WriteLoad.assertConverged(servers.postgres, servers.mariadb, DB));
    }

    private long currentWalLsn() throws Exception {
        try (Connection source = servers.postgres.connect(DB)) {
            return Long.parseLong(Sql.rows(source, "SELECT (pg_current_wal_lsn() - '0/0')::text").get(0).get(0));
        }
    }

    private long confirmedFlush() throws Exception {
        try (Connection source = servers.postgres.connect(DB)) {
            return Long.parseLong(Sql.rows(source, "SELECT (confirmed_flush_lsn - '0/0')::text FROM pg_replication_slots "
                    + "WHERE slot_name = ?", "greenlight_" + DB).get(0).get(0));
        }
    }

    private static void awaitCaughtUp() {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .failFast("the pipeline FAILED", Pipelines::failed)
                .until(() -> "STREAMING".equals(given().get("/status").path("phase"))
                        && given().get("/status").jsonPath().getDouble("lag.endToEndSeconds") < 3.0);
    }
}
