package io.greenlight.capture;

import io.greenlight.testing.EngineEvents;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.greenlight.kafka.KafkaClients;
import io.greenlight.kafka.TopicAdmin;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.testing.DebeziumRecords;
import io.greenlight.testing.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What capture publishes where, against the shared test Kafka broker, with records the real engine produced. */
class ChangePublisherTest {

    @Test
    void aTruncateIsPublishedToEveryPartitionOfItsTopicAfterThatPartitionsEarlierChanges() throws Exception {
        String topic = "publisher.public.uniq";
        KafkaClients kafka = threePartitionTopic(topic);
        SourceRecord truncate = DebeziumRecords.get().stream()
                .filter(r -> r.value() instanceof Struct v && v.schema().field("op") != null && "t".equals(v.getString("op")))
                .findFirst().orElseThrow();
        SourceRecord renamed = truncate.newRecord(topic, null, truncate.keySchema(), truncate.key(), truncate.valueSchema(),
                truncate.value(), truncate.timestamp());
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer("capture")) {
            LagTracker lag = new LagTracker();
            new ChangePublisher(producer, new PipelineMeters(new SimpleMeterRegistry(), lag), lag)
                    .handleBatch(List.of(event(renamed)), new Committer());
        }
        assertEquals(Map.of(0, 1L, 1, 1L, 2, 1L), endOffsets(kafka, topic));
    }

    @Test
    void everyChangeOfATableWithoutAKeyGoesToOnePartitionSoTheyStayInOrder() throws Exception {
        String topic = "publisher.public.keyless";
        KafkaClients kafka = threePartitionTopic(topic);
        SourceRecord insert = DebeziumRecords.get().stream()
                .filter(r -> r.value() instanceof Struct v && v.schema().field("op") != null && "c".equals(v.getString("op")))
                .findFirst().orElseThrow();
        // A keyless table (REPLICA IDENTITY FULL, no primary key): Debezium sends its changes without a key.
        SourceRecord keyless = insert.newRecord(topic, null, null, null, insert.valueSchema(), insert.value(), insert.timestamp());
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer("capture")) {
            LagTracker lag = new LagTracker();
            ChangePublisher publisher = new ChangePublisher(producer, new PipelineMeters(new SimpleMeterRegistry(), lag), lag);
            for (int batch = 0; batch < 10; batch++) {
                publisher.handleBatch(java.util.Collections.nCopies(20, event(keyless)), new Committer());
            }
        }
        assertEquals(Map.of(0, 200L, 1, 0L, 2, 0L), endOffsets(kafka, topic), "changes per partition");
    }

    private static final org.apache.kafka.connect.data.Schema SOURCE = org.apache.kafka.connect.data.SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.Source")
            .field("ts_ms", org.apache.kafka.connect.data.Schema.INT64_SCHEMA)
            .field("schema", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
            .field("table", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
            .field("txId", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA)
            .field("sequence", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final org.apache.kafka.connect.data.Schema MESSAGE = org.apache.kafka.connect.data.SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.Message")
            .field("prefix", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
            .field("content", org.apache.kafka.connect.data.Schema.OPTIONAL_BYTES_SCHEMA).build();
    private static final org.apache.kafka.connect.data.Schema ENVELOPE = org.apache.kafka.connect.data.SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.MessageValue")
            .field("op", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
            .field("ts_ms", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA)
            .field("source", SOURCE).field("message", MESSAGE).build();

    /** A logical decoding message as Debezium emits it for the source's DDL trigger (topic {@code <prefix>.message}). */
    private static SourceRecord ddlMessage(String tag, String table, long oid) {
        String content = "{\"tag\":\"" + tag + "\",\"objectType\":\"table\",\"identity\":\"public." + table
                + "\",\"statement\":\"" + tag + " " + table + " ...\",\"schema\":\"public\",\"table\":\"" + table
                + "\",\"definition\":{\"oid\":\"" + oid + "\",\"schema\":\"public\",\"table\":\"" + table
                + "\",\"replicaIdentity\":\"d\",\"columns\":[],\"missing\":{},\"indexes\":[]}}";
        Struct source = new Struct(SOURCE).put("ts_ms", System.currentTimeMillis()).put("schema", "").put("table", "")
                .put("txId", 77L).put("lsn", 1000L).put("sequence", "[\"900\",\"1000\"]");
        Struct message = new Struct(MESSAGE).put("prefix", io.greenlight.schema.DdlEvent.PREFIX)
                .put("content", content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Struct value = new Struct(ENVELOPE).put("op", "m").put("ts_ms", System.currentTimeMillis()).put("source", source)
                .put("message", message);
        return new SourceRecord(Map.of(), Map.of(), "publisher.message", null, null, null, ENVELOPE, value);
    }

    @Test
    void aDdlMessageIsPublishedToEveryPartitionOfItsTablesTopicAndARenamedTableIsFoundByItsOid() throws Exception {
        String topic = "publisher.public.evolving";
        KafkaClients kafka = new KafkaClients(TestServers.get().kafkaBootstrap, "publisher-ddl-test");
        try (TopicAdmin admin = new TopicAdmin(kafka.admin())) {
            admin.ensureChangeTopics(List.of(topic), 3, (short) 1, Duration.ofDays(1));
            admin.partitionsOf(List.of(topic));
        }
        io.greenlight.schema.TableId evolving = new io.greenlight.schema.TableId("public", "evolving");
        List<io.greenlight.schema.TableId> created = new java.util.concurrent.CopyOnWriteArrayList<>();
        DdlRouting routing = new DdlRouting(Map.of(evolving, topic), Map.of(4242L, evolving), java.util.Set.of("public"),
                created::add);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer("capture")) {
            LagTracker lag = new LagTracker();
            new ChangePublisher(producer, new PipelineMeters(new SimpleMeterRegistry(), lag), lag, () -> { }, routing)
                    .handleBatch(List.of(event(ddlMessage("ALTER TABLE", "evolving", 4242)),
                            event(ddlMessage("ALTER TABLE", "evolving_renamed", 4242)),
                            event(ddlMessage("ALTER TABLE", "not_captured", 5000)),
                            event(ddlMessage("CREATE TABLE", "brand_new", 5001))), new Committer());
        }
        List<io.greenlight.apply.Change> changes = new java.util.ArrayList<>();
        io.greenlight.apply.ChangeDecoder decoder = new io.greenlight.apply.ChangeDecoder();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("ddl-read", 100)) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (changes.size() < 6 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> decoder.decode(r).ifPresent(changes::add));
            }
        }
        assertEquals(6, changes.size(), "two DDL messages, each in all three partitions: " + changes);
        assertEquals(java.util.Set.of(0, 1, 2), changes.stream().map(io.greenlight.apply.Change::partition)
                .collect(java.util.stream.Collectors.toSet()));
        assertEquals(java.util.Set.of(evolving), changes.stream().map(io.greenlight.apply.Change::table)
                .collect(java.util.stream.Collectors.toSet()), "the renamed table is named as it is captured");
        assertEquals(java.util.Set.of("evolving", "evolving_renamed"), changes.stream()
                .map(c -> c.ddl().definition().orElseThrow().table().id().table()).collect(java.util.stream.Collectors.toSet()));
        assertEquals(List.of(new io.greenlight.schema.TableId("public", "brand_new")), created,
                "a table created in a migrated schema is reported, an uncaptured table's DDL is not published");
    }

    /** Clients of the shared test broker, with {@code topic} created over three partitions. */
    private static KafkaClients threePartitionTopic(String topic) throws Exception {
        KafkaClients kafka = new KafkaClients(TestServers.get().kafkaBootstrap, "publisher-test");
        try (TopicAdmin admin = new TopicAdmin(kafka.admin())) {
            admin.ensureChangeTopics(List.of(topic), 3, (short) 1, Duration.ofDays(1));
            admin.partitionsOf(List.of(topic));
        }
        return kafka;
    }

    /** Partition → its end offset: how many records each of the topic's three partitions holds. */
    private static Map<Integer, Long> endOffsets(KafkaClients kafka, String topic) throws Exception {
        Map<Integer, Long> ends = new java.util.TreeMap<>();
        try (Admin admin = kafka.admin()) {
            for (int p = 0; p < 3; p++) {
                TopicPartition partition = new TopicPartition(topic, p);
                ends.put(p, admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .partitionResult(partition).get().offset());
            }
        }
        return ends;
    }

    private static ChangeEvent<SourceRecord, SourceRecord> event(SourceRecord record) {
        return EngineEvents.of(record);
    }

    /** The engine's side of a batch: nothing to record here. */
    private static final class Committer implements DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> {
        @Override
        public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> record) {
        }

        @Override
        public void markBatchFinished() {
        }

        @Override
        public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> record, DebeziumEngine.Offsets offsets) {
        }

        @Override
        public DebeziumEngine.Offsets buildOffsets() {
            return null;
        }
    }
}
