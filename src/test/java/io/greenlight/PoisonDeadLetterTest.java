package io.greenlight;

import io.greenlight.apply.DeadLetters;
import io.greenlight.testing.Pipelines;
import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.greenlight.testing.PoisonTestResource.DeadLetter.TOPIC;
import static io.greenlight.testing.PoisonTestResource.TOO_PRECISE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * greenlight.apply.dead-letter-topic set: the change the target cannot take is copied to that
 * topic with headers naming table, coordinates and error, counted, and its table goes on.
 */
@QuarkusTest
@WithTestResource(PoisonTestResource.DeadLetter.class)
class PoisonDeadLetterTest {

    private static final String DATABASE = "poison_dlq";

    private final TestServers servers = TestServers.get();

    @Test
    void aValueThatDoesNotFitGoesToTheDeadLetterTopicWithItsOriginalBytesAndTheTableGoesOn() throws Exception {
        Pipelines.awaitStreaming();
        try (Connection source = servers.postgres.connect(DATABASE)) {
            Sql.exec(source, "INSERT INTO prices VALUES (1, 1.5)", "INSERT INTO prices VALUES (2, " + TOO_PRECISE + ")",
                    "INSERT INTO prices VALUES (3, 2.5)", "UPDATE prices SET amount = 1.75 WHERE id = 1");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            try (Connection target = servers.mariadb.connect(DATABASE)) {
                assertEquals(List.of(List.of("1", "1.75"), List.of("3", "2.5")), Sql.rows(target, "SELECT id, amount FROM prices ORDER BY id"));
            }
        });
        given().get("/status").then().body("phase", equalTo("STREAMING"))
                .body("tables.find { it.table == 'public.prices' }.state", equalTo("STREAMING"));
        given().get("/q/metrics").then().body(containsString("greenlight_dead_letter_events_total{table=\"public.prices\"} 1.0"));

        List<ConsumerRecord<byte[], byte[]>> dead = readAll(TOPIC);
        assertEquals(1, dead.size());
        ConsumerRecord<byte[], byte[]> letter = dead.get(0);
        assertEquals("public.prices", header(letter, DeadLetters.HEADER_TABLE));
        assertTrue(header(letter, DeadLetters.HEADER_LSN).matches("[0-9A-F]+/[0-9A-F]+"), header(letter, DeadLetters.HEADER_LSN));
        String error = header(letter, DeadLetters.HEADER_ERROR);
        assertTrue(error.contains("public.prices key {id=2}") && error.contains("does not fit DECIMAL(65,30)"), error);
        String origin = header(letter, DeadLetters.HEADER_SOURCE);
        int at = origin.lastIndexOf('@');
        int dash = origin.lastIndexOf('-', at);
        ConsumerRecord<byte[], byte[]> original = readAt(new TopicPartition(origin.substring(0, dash),
                Integer.parseInt(origin.substring(dash + 1, at))), Long.parseLong(origin.substring(at + 1)));
        assertArrayEquals(original.key(), letter.key());
        assertArrayEquals(original.value(), letter.value());
        assertTrue(new String(letter.value(), StandardCharsets.UTF_8).contains("\"id\":2"));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + CONVERGE.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            return records;
        }
    }

    private ConsumerRecord<byte[], byte[]> readAt(TopicPartition partition, long offset) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, offset);
            long deadline = System.nanoTime() + CONVERGE.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() == offset) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("no record at " + partition + "@" + offset);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.kafkaBootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        return new KafkaConsumer<>(p);
    }
}
