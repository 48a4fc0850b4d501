package io.greenlight.apply;

import io.greenlight.kafka.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps Kafka's retention from deleting changes apply has not applied. With the embedded broker
 * the change topics keep every record (retention.ms=-1) and this deletes what the target's
 * greenlight_offsets says is applied; with an external broker it warns before a paused table's
 * oldest change reaches the topics' retention ({@link RetentionWatch}). Runs every 30 s.
 */
public final class RetentionKeeper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RetentionKeeper.class);
    static final Duration PERIOD = Duration.ofSeconds(30);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "greenlight-retention");
        t.setDaemon(true);
        return t;
    });
    private final Optional<Trim> trim;
    private final TablePauses pauses;
    private final RetentionWatch watch;

    /** Deletes applied records of the given partitions through the admin client (embedded broker only). */
    public record Trim(Supplier<Admin> admin, DataSource target, OffsetStore offsets, List<TopicPartition> partitions) {
    }

    public RetentionKeeper(Optional<Trim> trim, TablePauses pauses, RetentionWatch watch) {
        this.trim = trim;
        this.pauses = pauses;
        this.watch = watch;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::run, 5, PERIOD.toSeconds(), TimeUnit.SECONDS);
    }

    private void run() {
        try {
            watch.check(pauses.all(), System.currentTimeMillis()).forEach(LOG::warn);
            if (trim.isPresent()) {
                trimApplied(trim.get());
            }
        } catch (Exception e) {
            LOG.debugf(e, "Retention check failed; retried in %s", PERIOD);
        }
    }

    private static void trimApplied(Trim trim) throws Exception {
        Map<TopicPartition, PartitionPosition> stored;
        try (Connection connection = trim.target().getConnection()) {
            stored = trim.offsets().load(connection);
        }
        Map<TopicPartition, Long> applied = new HashMap<>();
        for (TopicPartition partition : trim.partitions()) {
            PartitionPosition position = stored.get(partition);
            if (position != null && position.nextOffset() > 0) {
                applied.put(partition, position.nextOffset());
            }
        }
        if (!applied.isEmpty()) {
            try (TopicAdmin admin = new TopicAdmin(trim.admin().get())) {
                admin.deleteBefore(applied);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
