package io.greenlight;

import io.greenlight.testing.GreenlightTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lag against the real servers: honest when idle, when stalled, and for a backlog. Run against
 * each target engine by {@link LagMariaDbTest} and {@link LagPostgresTest}.
 */
abstract class LagTest {

    /** The engine of the target database. */
    protected abstract io.greenlight.testing.TargetDatabase engine();

    /** The source and target database of the suite's test resource. */
    protected abstract String database();

    private final TestServers servers = TestServers.get();

    @Inject
    Pipeline pipeline;

    @BeforeEach
    void pipelineIsStreaming() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("the pipeline FAILED", () -> "FAILED".equals(given().get("/status").path("phase")))
                .untilAsserted(() -> given().get("/status").then().body("phase", equalTo("STREAMING")));
        await().atMost(Duration.ofSeconds(60)).until(() -> lag() < 2.0);
    }

    @Test
    void idleSourceLagStaysWithinTheHeartbeatIntervalPlusOneSecond() throws Exception {
        for (int i = 0; i < 16; i++) {
            double lag = lag();
            assertTrue(lag > 0 && lag <= 2.0, "lag " + lag + " s on an idle source with 1 s heartbeats");
            Thread.sleep(250);
        }
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.contains("cdc_lag_seconds "), metrics);
        assertTrue(metrics.contains("cdc_capture_lag_seconds "), metrics);
        assertTrue(metrics.contains("cdc_apply_lag_seconds "), metrics);
        assertTrue(metrics.contains("cdc_apply_batch_seconds_bucket"), metrics);
    }

    @Test
    void stoppedTargetMakesLagGrowAsTheBacklogsAgeAndItRecoversAfterRestart() throws Exception {
        long stoppedAt = System.nanoTime();
        engine().stopProcess();
        try (Connection source = servers.postgres.connect(database())) {
            Sql.exec(source, "INSERT INTO audit_log SELECT g, 'during outage' FROM generate_series(100000, 100050) g");
        }
        try {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).until(() -> lag() > 10.0);
            double age = (System.nanoTime() - stoppedAt) / 1e9;
            double lag = lag();
            assertTrue(lag >= age - 2.5 && lag <= age + 2.5, "lag " + lag + " s should read as the backlog's age " + age + " s");
            given().get("/status").then().body("lag.captureSeconds", org.hamcrest.Matchers.lessThan(3.0f));
        } finally {
            engine().startProcess();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> lag() < 2.0);
        try (Connection source = servers.postgres.connect(database());
             Connection target = engine().connect(database())) {
            Sql.assertSameRows(Sql.rows(source, "SELECT id, message FROM audit_log WHERE id >= 100000 ORDER BY id"),
                    Sql.rows(target, "SELECT id, message FROM audit_log WHERE id >= 100000 ORDER BY id"));
        }
        assertTrue(given().get("/q/metrics").asString().matches("(?s).*cdc_apply_errors_total [1-9].*"),
                "failed attempts are counted");
    }

    @Test
    void slotRetainsWalWhileCaptureIsStoppedAndReleasesItAfter() throws Exception {
        long before = slotBytes();
        pipeline.stop();
        try (Connection source = servers.postgres.connect(database())) {
            Sql.exec(source, "INSERT INTO audit_log SELECT g, repeat('x', 200) FROM generate_series(200000, 205000) g");
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> slotBytes() > before + 1_000_000);
        given().get("/status").then().body("phase", equalTo("STOPPED"));
        pipeline.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> slotBytes() < 200_000 && "STREAMING".equals(given().get("/status").path("phase")));
        try (Connection source = servers.postgres.connect(database());
             Connection target = engine().connect(database())) {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    Sql.count(target, "audit_log WHERE id >= 200000") == Sql.count(source, "audit_log WHERE id >= 200000"));
        }
    }

    private static double lag() {
        return given().get("/status").then().extract().jsonPath().getDouble("lag.endToEndSeconds");
    }

    private static long slotBytes() {
        return given().get("/status").then().extract().jsonPath().getLong("lag.replicationSlotBytes");
    }
}
