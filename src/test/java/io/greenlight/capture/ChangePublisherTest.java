package io.greenlight.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.Header;
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
        KafkaClients kafka = new KafkaClients(TestServers.get().kafkaBootstrap, "publisher-test");
        try (TopicAdmin admin = new TopicAdmin(kafka.admin())) {
            admin.ensureChangeTopics(List.of(topic), 3, (short) 1, Duration.ofDays(1));
            admin.partitionsOf(List.of(topic));
        }
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
        try (Admin admin = kafka.admin()) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            Map<TopicPartition, Long> ends = new java.util.HashMap<>();
            for (TopicPartition p : partitions) {
                ends.put(p, admin.listOffsets(Map.of(p, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .partitionResult(p).get().offset());
            }
            assertEquals(Map.of(partitions.get(0), 1L, partitions.get(1), 1L, partitions.get(2), 1L), ends);
        }
    }

    private static ChangeEvent<SourceRecord, SourceRecord> event(SourceRecord record) {
        return new ChangeEvent<>() {
            @Override
            public SourceRecord key() {
                return record;
            }

            @Override
            public SourceRecord value() {
                return record;
            }

            @Override
            public String destination() {
                return record.topic();
            }

            @Override
            public Integer partition() {
                return null;
            }

            @Override
            public <T> List<Header<T>> headers() {
                return List.of();
            }
        };
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
