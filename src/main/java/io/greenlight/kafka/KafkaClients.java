package io.greenlight.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Map;
import java.util.Properties;

/** Builds Kafka clients for one cluster with the settings the pipeline relies on. */
public final class KafkaClients {

    private final String bootstrapServers;
    private final String clientIdPrefix;
    private final Map<String, String> overrides;

    public KafkaClients(String bootstrapServers, String clientIdPrefix) {
        this(bootstrapServers, clientIdPrefix, Map.of());
    }

    private KafkaClients(String bootstrapServers, String clientIdPrefix, Map<String, String> overrides) {
        this.bootstrapServers = bootstrapServers;
        this.clientIdPrefix = clientIdPrefix;
        this.overrides = Map.copyOf(overrides);
    }

    /** The same clients with these client properties set over the defaults of every client made. */
    public KafkaClients with(Map<String, String> properties) {
        Map<String, String> merged = new java.util.HashMap<>(overrides);
        merged.putAll(properties);
        return new KafkaClients(bootstrapServers, clientIdPrefix, merged);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Idempotent, acks=all producer: a change acknowledged to the engine is durable in Kafka. */
    public KafkaProducer<byte[], byte[]> producer(String purpose) {
        Properties p = common(purpose);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        // A broker outage must not fail a batch: the producer keeps retrying (in order, without
        // duplicates) until the broker is back, and lag shows the stall. Only errors retrying
        // cannot fix (a record too large, a denied write) fail the batch and stop capture.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Integer.MAX_VALUE));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(Long.MAX_VALUE));
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "2000");
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /**
     * A consumer without group management: apply assigns partitions itself and keeps its
     * positions in the target, so Kafka's committed offsets are never the source of truth.
     */
    public KafkaConsumer<byte[], byte[]> consumer(String purpose, int maxPollRecords) {
        return consumer(purpose, maxPollRecords, "earliest");
    }

    /**
     * The apply consumer: it seeks itself, and a position Kafka no longer holds (deleted by
     * retention before it was applied) raises OffsetOutOfRangeException instead of jumping ahead.
     */
    public KafkaConsumer<byte[], byte[]> applyConsumer(int maxPollRecords) {
        return consumer("apply", maxPollRecords, "none");
    }

    private KafkaConsumer<byte[], byte[]> consumer(String purpose, int maxPollRecords, String offsetReset) {
        Properties p = common(purpose);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /**
     * A consumer that reads a few records at given offsets (a control plane samples change records'
     * source times and Connect's offsets): small fetches, no group, no topic created by asking.
     */
    public KafkaConsumer<byte[], byte[]> sampler(String purpose, int maxPollRecords) {
        Properties p = common(purpose);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "65536");
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "65536");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    public Admin admin() {
        return Admin.create(common("admin"));
    }

    private Properties common(String purpose) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientIdPrefix + "-" + purpose);
        p.put(CommonClientConfigs.METADATA_MAX_AGE_CONFIG, "5000");
        p.putAll(overrides);
        return p;
    }
}
