package io.greenlight;

import io.greenlight.testing.EmbeddedBrokerTestResource;
import io.greenlight.testing.TestServers;
import io.greenlight.testing.WriteLoad;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greenlight's own embedded broker stopped and started in-process under a write load (the
 * whole process dying is ServiceRestartIT's): capture holds its batches until the broker is
 * back, apply reconnects, and the target converges with nothing lost or doubled.
 */
@QuarkusTest
@WithTestResource(EmbeddedBrokerTestResource.class)
class EmbeddedBrokerRestartTest {

    private static final String DB = EmbeddedBrokerTestResource.DATABASE;
    private final TestServers servers = TestServers.get();

    @Inject
    Pipeline pipeline;

    @Test
    void embeddedBrokerRestartedUnderLoadCaptureAndApplyResumeWithoutLossOrDuplicates() throws Exception {
        awaitStreamingWithLowLag();
        given().get("/status").then().body("kafka.embedded", equalTo(true));
        try (WriteLoad load = WriteLoad.start(servers.postgres, DB)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> load.committed() > 300);
            pipeline.stopEmbeddedBroker();
            long atStop = load.committed();
            try {
                await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ofSeconds(20)).until(() -> load.committed() > atStop + 300);
                assertTrue(lag() > 10, "lag shows the stalled pipeline: " + lag());
            } finally {
                pipeline.startEmbeddedBroker();
            }
            long atStart = load.committed();
            await().atMost(Duration.ofSeconds(90)).until(() -> load.committed() > atStart + 300);
        }
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .failFast("the pipeline FAILED", () -> "FAILED".equals(given().get("/status").path("phase")))
                .untilAsserted(() -> WriteLoad.assertConverged(servers.postgres, servers.mariadb, DB));
        awaitStreamingWithLowLag();
        given().get("/status").then().body("captureRunning", equalTo(true)).body("failure", equalTo(null));
    }

    @Test
    void theEmbeddedBrokerKeepsChangesUntilAppliedThenDeletesThem() throws Exception {
        awaitStreamingWithLowLag();
        String bootstrap = pipeline.bootstrapServers().orElseThrow();
        String topic = new io.greenlight.kafka.TopicNames(DB).table(new io.greenlight.schema.TableId("public", "accounts"));
        try (java.sql.Connection source = servers.postgres.connect(DB)) {
            io.greenlight.testing.Sql.exec(source, "UPDATE accounts SET balance = balance + 1 WHERE id <= 5");
        }
        try (org.apache.kafka.clients.admin.Admin admin = new io.greenlight.kafka.KafkaClients(bootstrap, "test").admin()) {
            org.apache.kafka.common.config.ConfigResource resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            assertEquals("-1", admin.describeConfigs(java.util.List.of(resource)).all().get().get(resource)
                    .get("retention.ms").value(), "no time-based deletion of changes not yet applied");
            org.apache.kafka.common.TopicPartition partition = new org.apache.kafka.common.TopicPartition(topic, 0);
            // Applied changes are deleted behind apply (checked every 30 s).
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> admin.listOffsets(
                    java.util.Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.earliest())).partitionResult(partition)
                    .get().offset() > 0);
        }
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
