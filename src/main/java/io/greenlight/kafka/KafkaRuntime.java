package io.greenlight.kafka;

import io.greenlight.config.GreenlightConfig;
import io.greenlight.schema.TableId;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The pipeline's Kafka: an embedded single-node broker under data-dir when no bootstrap servers
 * are configured, else the external cluster; the clients for it and the topics the pipeline
 * needs. The embedded broker outlives a restart of the pipeline (stop, start) and stops with the
 * process.
 */
public final class KafkaRuntime implements AutoCloseable {

    private final GreenlightConfig.Kafka config;
    private final TopicNames topics;
    private final Path logDir;
    private final Optional<String> deadLetterTopic;

    private final Object brokerLock = new Object();
    private volatile EmbeddedKafkaBroker broker;
    private String embeddedServers;
    private volatile String bootstrapServers;
    private volatile KafkaClients clients;

    public KafkaRuntime(GreenlightConfig.Kafka config, TopicNames topics, Path logDir, Optional<String> deadLetterTopic) {
        this.config = config;
        this.topics = topics;
        this.logDir = logDir;
        this.deadLetterTopic = deadLetterTopic;
    }

    /** No bootstrap servers configured: the pipeline runs its own broker. */
    public boolean embedded() {
        return config.bootstrapServers().isEmpty();
    }

    /**
     * The bootstrap servers once Kafka is up. The embedded broker takes seconds to start, so it
     * starts on its own thread while the bring-up goes on; an unusable data-dir fails here, before
     * anything else.
     */
    public CompletableFuture<String> up() {
        if (!embedded()) {
            return CompletableFuture.completedFuture(config.bootstrapServers().get());
        }
        EmbeddedKafkaBroker.ensureLogDir(logDir);
        return CompletableFuture.supplyAsync(this::startBroker, runnable -> new Thread(runnable, "greenlight-broker-start").start());
    }

    /** Not under the pipeline's lock: the broker starts while the bring-up goes on. */
    private String startBroker() {
        synchronized (brokerLock) {
            if (broker == null) { // a restart (stop, start) keeps the broker that is running
                EmbeddedKafkaBroker starting = new EmbeddedKafkaBroker(logDir, 0);
                embeddedServers = starting.start();
                broker = starting;
            }
            return embeddedServers;
        }
    }

    /** The clients for {@code servers} from now on. */
    public void connect(String servers) {
        bootstrapServers = servers;
        clients = new KafkaClients(servers, "greenlight-" + topics.prefix());
    }

    /** The clients of the last {@link #connect}; null before. */
    public KafkaClients clients() {
        return clients;
    }

    /** Creates (or checks) the change topics of {@code tables} and the other topics the pipeline writes; their partitions. */
    public List<TopicPartition> createTopics(Collection<TableId> tables) throws Exception {
        List<String> changeTopics = new ArrayList<>(tables.stream().map(topics::table).toList());
        try (TopicAdmin admin = new TopicAdmin(clients.admin())) {
            if (!embedded()) { // embedded: offsets in a file (DebeziumProperties)
                admin.ensureCompactedTopic(topics.sourceOffsets(), config.replicationFactor());
            }
            // The embedded broker keeps changes until they are applied (RetentionKeeper deletes those), as a
            // single node has no one else to read them from; an external cluster's retention is the operator's.
            Duration retention = embedded() ? Duration.ofMillis(-1) : config.retention();
            admin.ensureChangeTopics(changeTopics, config.partitions(), config.replicationFactor(), retention);
            if (embedded()) {
                admin.setRetention(changeTopics, retention); // topics an earlier version created with a retention
            }
            if (deadLetterTopic.isPresent()) {
                admin.ensureChangeTopics(List.of(deadLetterTopic.get()), 1, config.replicationFactor(), config.retention());
            }
            return admin.partitionsOf(changeTopics);
        }
    }

    public Optional<String> bootstrapServers() {
        return Optional.ofNullable(bootstrapServers);
    }

    /** The embedded broker runs (or ran and was stopped in place). */
    public boolean embeddedBroker() {
        return broker != null;
    }

    /** Whether the cluster answers within 3 s. */
    public boolean reachable() {
        KafkaClients k = clients;
        if (k == null) {
            return false;
        }
        try (TopicAdmin admin = new TopicAdmin(k.admin())) {
            admin.clusterId(Duration.ofSeconds(3));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Stops the embedded broker (at process end). */
    @Override
    public void close() {
        synchronized (brokerLock) {
            if (broker != null) {
                broker.close();
                broker = null;
            }
        }
    }

    /** Stops the embedded broker in place, as a broker crash looks to capture and apply (tests use it). */
    public void crashEmbeddedBroker() {
        EmbeddedKafkaBroker b = broker;
        if (b != null) {
            b.close();
        }
    }

    /** Starts the embedded broker again on its port and log directory. */
    public void restartEmbeddedBroker() {
        EmbeddedKafkaBroker b = broker;
        if (b != null) {
            b.start();
        }
    }

    /** Stops the embedded broker and deletes its log, as a pod rescheduled onto a fresh ephemeral volume has lost it (tests use it). */
    public void discardEmbeddedBrokerData() throws IOException {
        close();
        try (Stream<Path> files = Files.walk(logDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
