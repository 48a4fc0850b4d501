package io.greenlight.apply;

import io.greenlight.kafka.EmbeddedKafkaBroker;
import io.greenlight.schema.ChangeOp;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Apply whose first Kafka reads time out (a broker that does not answer yet, or a process frozen
 * past the clients' timeout — a node freeze, SIGSTOP, a long pause — so that the timeout has
 * passed when it resumes) waits for Kafka and goes on; it does not stop the pipeline.
 */
class BrokerOutageApplyTest {

    private static final Schema TAG = SchemaBuilder.struct().field("name", Schema.STRING_SCHEMA)
            .field("weight", Schema.OPTIONAL_INT32_SCHEMA).build();

    @Test
    void applyStartedWhileTheBrokerDoesNotAnswerWaitsForItAndAppliesOnceItIsBack() throws Exception {
        Path logDir = Files.createTempDirectory("greenlight-broker-outage");
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(logDir, 0);
        String bootstrap = broker.start();
        try (ApplyHarness h = new ApplyHarness(bootstrap, TargetEngine.MARIADB, "broker_outage", 1,
                "CREATE TABLE tags (name text PRIMARY KEY, weight int)")) {
            h.readTables("tags");
            h.publish(0, "tags", ChangeOp.CREATE, null, ApplyHarness.row(TAG, "published before the outage", 1));
            broker.close();
            h.consumerProperties = Map.of(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "1000",
                    ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000");
            h.start(100, Duration.ofMillis(50));

            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> h.failure.get() == null);

            broker.start();
            try (Connection t = h.target()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> h.failure.get() != null || Sql.count(t, "tags") == 1);
                assertNull(h.failure.get(), "apply kept waiting for the broker");
                assertEquals(List.of(List.of("published before the outage", "1")), Sql.rows(t, "SELECT name, weight FROM tags"));
            }
        } finally {
            broker.close();
        }
    }
}
