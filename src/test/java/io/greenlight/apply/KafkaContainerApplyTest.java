package io.greenlight.apply;

import io.greenlight.schema.ChangeOp;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Apply against a Kafka broker in a container (the external cluster the design allows) instead of
 * the in-JVM one: a truncate over several partitions and a batch cut at a TRUNCATE. Skipped where
 * Docker is missing.
 */
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerApplyTest {

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.2");

    private static final Schema AUDIT = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("message", Schema.OPTIONAL_STRING_SCHEMA).build();

    @Test
    void aTruncateOverThreePartitionsOfAnExternalBrokerLandsBetweenTheChangesBeforeAndAfterIt() throws Exception {
        try (ApplyHarness h = new ApplyHarness(KAFKA.getBootstrapServers(), TargetEngine.MARIADB, "tc_kafka", 3,
                "CREATE TABLE audit (id int PRIMARY KEY, message text)")) {
            h.readTables("audit");
            for (int p = 0; p < 3; p++) {
                h.publish(p, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, p, "before"));
            }
            h.publishTruncate(List.of(0, 1, 2), "audit");
            for (int p = 0; p < 3; p++) {
                h.publish(p, "audit", ChangeOp.CREATE, null, ApplyHarness.row(AUDIT, 10 + p, "after"));
            }
            h.start(100, Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertNull(h.failure.get());
                try (Connection t = h.target()) {
                    assertEquals(List.of(List.of("10", "after"), List.of("11", "after"), List.of("12", "after")),
                            Sql.rows(t, "SELECT id, message FROM audit ORDER BY id"));
                }
            });
        }
    }
}
