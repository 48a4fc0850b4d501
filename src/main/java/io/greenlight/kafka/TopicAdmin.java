package io.greenlight.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.util.TypeLiteral;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates and describes Greenlight's topics. */
public final class TopicAdmin implements AutoCloseable {

    private static final long TIMEOUT_S = 30;

    /** Metadata of a new topic reaches every broker shortly after creation. */
    private static final Guard NEW_TOPIC_METADATA = Guard.create().withRetry()
            .maxRetries(100).delay(200, ChronoUnit.MILLIS).maxDuration(60, ChronoUnit.SECONDS)
            .whenException(e -> e instanceof ExecutionException && e.getCause() instanceof UnknownTopicOrPartitionException)
            .done().build();

    private final Admin admin;

    public TopicAdmin(Admin admin) {
        this.admin = admin;
    }

    /** Creates the change topics that do not exist yet; existing ones are left as they are. */
    public void ensureChangeTopics(Collection<String> topics, int partitions, short replicationFactor, Duration retention) {
        String retentionMs = retention.isNegative() ? "-1" : String.valueOf(retention.toMillis());
        List<NewTopic> create = new ArrayList<>();
        for (String topic : missing(topics)) {
            create.add(new NewTopic(topic, partitions, replicationFactor)
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, retentionMs)));
        }
        createAll(create);
    }

    /** Sets the retention of existing topics (-1: forever), e.g. after greenlight.kafka.retention changed. */
    public void setRetention(Collection<String> topics, Duration retention) {
        String retentionMs = retention.isNegative() ? "-1" : String.valueOf(retention.toMillis());
        Map<org.apache.kafka.common.config.ConfigResource, Collection<org.apache.kafka.clients.admin.AlterConfigOp>> ops = new java.util.HashMap<>();
        for (String topic : topics) {
            ops.put(new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic),
                    List.of(new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                            TopicConfig.RETENTION_MS_CONFIG, retentionMs), org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)));
        }
        await(admin.incrementalAlterConfigs(ops).all());
    }

    /**
     * Deletes the records before the given offsets (what apply has committed): an embedded
     * broker keeps change topics forever and frees what is applied this way instead.
     */
    public void deleteBefore(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> delete = new java.util.HashMap<>();
        offsets.forEach((partition, offset) -> delete.put(partition, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(offset)));
        // One partition Kafka refuses (e.g. a topic recreated shorter than the stored offset) does not keep the others.
        admin.deleteRecords(delete).lowWatermarks().values().forEach(f -> {
            try {
                f.get(TIMEOUT_S, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // retried at the next round
            }
        });
    }

    /** Creates a compacted single-partition topic (offset storage) when missing. */
    public void ensureCompactedTopic(String topic, short replicationFactor) {
        if (!missing(List.of(topic)).isEmpty()) {
            createAll(List.of(new NewTopic(topic, 1, replicationFactor)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
        }
    }

    /** The partitions of the topics, waiting for just-created topics to become known to the cluster. */
    public List<TopicPartition> partitionsOf(Collection<String> topics) throws Exception {
        List<TopicPartition> result = new ArrayList<>();
        Map<String, TopicDescription> descriptions = NEW_TOPIC_METADATA.call(
                () -> admin.describeTopics(topics).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS),
                new TypeLiteral<Map<String, TopicDescription>>() { });
        descriptions.values().forEach(d -> d.partitions()
                .forEach(p -> result.add(new TopicPartition(d.name(), p.partition()))));
        return result;
    }

    /** Cluster id, used as a cheap reachability probe. */
    public String clusterId(Duration timeout) throws Exception {
        return admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Collection<String> missing(Collection<String> topics) {
        Set<String> existing = await(admin.listTopics().names());
        return topics.stream().filter(t -> !existing.contains(t)).toList();
    }

    private void createAll(List<NewTopic> topics) {
        if (topics.isEmpty()) {
            return;
        }
        try {
            admin.createTopics(topics).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Creating Kafka topics " + topics.stream().map(NewTopic::name).toList()
                        + " failed: " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT_S + " s while creating topics", e);
        }
    }

    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka admin request failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT_S + " s", e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
