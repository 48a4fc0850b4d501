package io.greenlight;

import io.greenlight.kafka.KafkaClients;
import io.greenlight.testing.Pipelines;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end with change topics of two partitions: a table's changes are spread over both by key,
 * and each source DDL statement of the table is applied to the target only after every earlier change
 * of the table on every partition, and before any later one. Applied out of order, a change would
 * name a column the target's table does not have (yet, or any more) and the table would stop. Run
 * against each target engine by {@link DdlPartitionsMariaDbTest} and {@link DdlPartitionsPostgresTest}.
 */
abstract class DdlPartitionsTest {

    private final TestServers servers = TestServers.get();

    protected abstract TargetEngine engine();

    protected abstract String database();

    @BeforeEach
    void pipelineIsStreaming() {
        Pipelines.awaitStreaming();
    }

    @Test
    void aMigrationOnATableSpreadOverTwoPartitionsLandsBetweenItsChangesOnEveryPartitionUnderWrites() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Every write names the text column, under whichever name it has at that moment.
        Thread writer = new Thread(() -> {
            try (Connection source = source()) {
                while (writing.get()) {
                    int id = 1 + ThreadLocalRandom.current().nextInt(400);
                    Sql.exec(source, "DO $$ BEGIN UPDATE spread SET n = n + 1, a = 'w" + done.get() + "' WHERE id = " + id
                            + "; EXCEPTION WHEN undefined_column THEN UPDATE spread SET n = n + 1, b = 'w" + done.get()
                            + "' WHERE id = " + id + "; END $$");
                    done.incrementAndGet();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "spread-writer");
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= 100 || failure.get() != null);
            try (Connection source = source()) {
                source.setAutoCommit(false); // a migration script: statements and the rows they touch, in one transaction
                Sql.exec(source, "LOCK TABLE spread IN ACCESS EXCLUSIVE MODE", // as the ALTER would, first: no deadlock
                        "UPDATE spread SET a = 'before the rename' WHERE id <= 20",
                        "ALTER TABLE spread RENAME COLUMN a TO b",
                        "UPDATE spread SET b = 'after the rename' WHERE id > 380",
                        "ALTER TABLE spread ADD COLUMN c int NOT NULL DEFAULT 7",
                        "UPDATE spread SET c = id WHERE id % 50 = 0");
                source.commit();
            }
            long after = done.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= after + 100 || failure.get() != null);
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        assertNull(failure.get(), () -> "the source writes failed: " + failure.get());
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .failFast("the pipeline FAILED", Pipelines::failed)
                .failFast("the table stopped", () -> "PAUSED".equals(given().get("/status")
                        .path("tables.find { it.table == 'public.spread' }.state")))
                .untilAsserted(() -> {
                    try (Connection source = source(); Connection target = target()) {
                        String query = "SELECT id, b, n, c FROM spread ORDER BY id";
                        Sql.assertSameRows(Sql.rows(source, query), Sql.rows(target, query));
                    }
                });
        given().get("/status").then().body("tables.find { it.table == 'public.spread' }.state", equalTo("STREAMING"));
        Map<TopicPartition, Long> ends = endOffsets(database() + ".public.spread");
        assertEquals(2, ends.size(), ends.toString());
        assertTrue(ends.values().stream().allMatch(end -> end > 10), "changes on both partitions: " + ends);
    }

    private Map<TopicPartition, Long> endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(servers.kafkaBootstrap, "ddl-partitions-check")
                .consumer("ddl-partitions-check", 10)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions);
        }
    }

    private Connection source() throws Exception {
        return servers.postgres.connect(database());
    }

    private Connection target() throws Exception {
        return engine().connect(database());
    }
}
