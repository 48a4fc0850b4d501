package io.greenlight.controlplane;

import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PartitionPosition;
import io.greenlight.lag.LagTracker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a pipeline running in Kafka Connect has captured and applied, told to the {@link LagTracker}
 * as the embedded capture and apply tell it: per tick the change topics' end offsets and the source
 * commit time of the first change each partition received since (capture's side), the target's
 * greenlight_offsets as the sink tasks committed them (apply's side), and the newest heartbeat in
 * Kafka. A cutover's marker counts as published once Connect committed a source offset past the
 * WAL position the fence left: the partitions' ends read after that are the drain's target.
 */
final class ConnectProgress implements AutoCloseable {

    /** A cutover marker written on the source after the fence, at WAL position {@code fenceLsn} or later. */
    private record Marker(String id, long fenceLsn) {
    }

    private static final long RUNNING_WITHIN_MS = 30_000;

    private final DataSource target;
    private final OffsetStore offsets;
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> sampler;
    private final ConnectSourceOffsets sourceOffsets;
    private final LagTracker lag;
    private final Set<String> topics;
    private final String heartbeatTopic;

    /** The partitions' ends at the last tick; null before the first. */
    private Map<TopicPartition, Long> ends;
    private long heartbeatApplied;
    private volatile long heartbeatPublishedAtMs;
    private volatile long heartbeatAppliedAtMs;
    private volatile boolean heartbeatCaughtUp;
    private volatile Optional<ConnectSourceOffsets.Committed> committed = Optional.empty();
    private volatile Marker pending;

    ConnectProgress(DataSource target, OffsetStore offsets, Admin admin, KafkaConsumer<byte[], byte[]> sampler,
                    ConnectSourceOffsets sourceOffsets, LagTracker lag, Set<String> topics, String heartbeatTopic) {
        this.target = target;
        this.offsets = offsets;
        this.admin = admin;
        this.sampler = sampler;
        this.sourceOffsets = sourceOffsets;
        this.lag = lag;
        this.topics = Set.copyOf(topics);
        this.heartbeatTopic = heartbeatTopic;
    }

    /** The drain waits for {@code marker}: it counts as published once Connect's source offset passed {@code fenceLsn}. */
    void awaitMarker(String marker, long fenceLsn) {
        pending = new Marker(marker, fenceLsn);
    }

    /** A marker is waiting to be seen, or a drain to be applied: tick tightly. */
    boolean draining() {
        return pending != null || lag.drainPending();
    }

    /** One look at Kafka, the target and Connect's offsets. */
    void tick() throws Exception {
        Map<TopicPartition, Long> now = endOffsets();
        Map<TopicPartition, PartitionPosition> stored = stored();
        stored.forEach((partition, position) -> lag.applied(partition, position.nextOffset(), position.sourceTsMs()));

        Map<TopicPartition, Long> oldest = new HashMap<>();
        long newest = Long.MIN_VALUE;
        long nowMs = System.currentTimeMillis();
        for (Map.Entry<TopicPartition, Long> e : now.entrySet()) {
            TopicPartition partition = e.getKey();
            long end = e.getValue();
            PartitionPosition applied = stored.get(partition);
            // The first change this partition received since the last look (at the first look: the first not applied).
            long from = ends != null ? ends.getOrDefault(partition, 0L) : applied != null ? applied.nextOffset() : 0L;
            if (end > from) {
                stampAt(partition, from).ifPresent(s -> oldest.put(partition, lag.commitTime(s.snapshotRead(), s.tsMs())));
            }
            if (partition.topic().equals(heartbeatTopic) && end > 0 && (ends == null || end > ends.getOrDefault(partition, 0L))) {
                Optional<RecordTimes.Stamp> beat = stampAt(partition, end - 1);
                if (beat.isPresent()) {
                    newest = Math.max(newest, beat.get().tsMs());
                    heartbeatPublishedAtMs = nowMs;
                }
            }
            if (partition.topic().equals(heartbeatTopic)) {
                long next = applied == null ? 0 : applied.nextOffset();
                if (next > heartbeatApplied) {
                    heartbeatApplied = next;
                    heartbeatAppliedAtMs = nowMs;
                }
                heartbeatCaughtUp = next >= end;
            }
        }
        Map<TopicPartition, Long> last = new HashMap<>();
        now.forEach((partition, end) -> {
            if (end > 0) {
                last.put(partition, end - 1);
            }
        });
        lag.published(newest, last, oldest);
        ends = now;

        committed = sourceOffsets.poll(Duration.ofMillis(20));
        Marker marker = pending;
        if (marker != null && committed.isPresent() && Long.compareUnsigned(committed.get().lsn(), marker.fenceLsn()) > 0) {
            // Everything committed on the source before the fence is in Kafka now: the ends read from here on cover it.
            lag.markerPublished(marker.id(), endOffsets());
            pending = null;
        }
    }

    /** Connect's source connector has committed an offset and its initial snapshot is done. */
    boolean streaming() {
        return committed.map(c -> !c.snapshot()).orElse(false);
    }

    /** A heartbeat reached Kafka within the last 30 s. */
    boolean captureRunning() {
        return System.currentTimeMillis() - heartbeatPublishedAtMs < RUNNING_WITHIN_MS;
    }

    /** The sink applied heartbeats within the last 30 s, or has applied every one published. */
    boolean applyRunning() {
        return heartbeatAppliedAtMs > 0 && (heartbeatCaughtUp || System.currentTimeMillis() - heartbeatAppliedAtMs < RUNNING_WITHIN_MS);
    }

    /** The end offsets of every partition of the change topics that exist. */
    private Map<TopicPartition, Long> endOffsets() throws Exception {
        Set<String> existing = new HashSet<>(admin.listTopics().names().get(10, TimeUnit.SECONDS));
        existing.retainAll(topics);
        if (existing.isEmpty()) {
            return Map.of();
        }
        Map<String, TopicDescription> described = admin.describeTopics(existing).allTopicNames().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> listed = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> result = new HashMap<>();
        listed.forEach((partition, info) -> result.put(partition, info.offset()));
        return result;
    }

    /** What the sink tasks committed on the target, for the change topics (empty before the sink created the table). */
    private Map<TopicPartition, PartitionPosition> stored() {
        try (Connection c = target.getConnection()) {
            Map<TopicPartition, PartitionPosition> all = offsets.load(c);
            Map<TopicPartition, PartitionPosition> ours = new HashMap<>();
            all.forEach((partition, position) -> {
                if (topics.contains(partition.topic())) {
                    ours.put(partition, position);
                }
            });
            return ours;
        } catch (SQLException e) {
            return Map.of();
        }
    }

    /** The source time of the record at {@code offset} (or the first one after it that Kafka still holds). */
    private Optional<RecordTimes.Stamp> stampAt(TopicPartition partition, long offset) {
        sampler.assign(List.of(partition));
        sampler.seek(partition, offset);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : sampler.poll(Duration.ofMillis(100))) {
                return RecordTimes.of(record.value());
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        sampler.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
        sourceOffsets.close();
    }
}
