package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PartitionPosition;
import io.greenlight.apply.SchemaStore;
import io.greenlight.apply.TargetTables;
import io.greenlight.capture.DebeziumProperties;
import io.greenlight.capture.SlotGuard;
import io.greenlight.capture.SourceOffsets;
import io.greenlight.capture.SourcePreflight;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.kafka.KafkaRuntime;
import io.greenlight.kafka.TopicNames;
import io.greenlight.leader.LeaderElection;
import io.greenlight.leader.SlotTakeover;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The checks a bring-up runs before anything streams: the source can be replicated and the
 * target can hold its tables ({@link #plan}), then the target is prepared and the positions
 * earlier runs stored are checked against the slot ({@link #positions}). Each step refuses the
 * start with the reason and the remedy.
 */
final class BringUpChecks {

    private static final Logger LOG = Logger.getLogger(BringUpChecks.class);

    private final GreenlightConfig config;
    private final TopicNames topics;
    private final LeaderElection election;
    private final Endpoints ends;
    private final KafkaRuntime kafka;

    BringUpChecks(GreenlightConfig config, TopicNames topics, LeaderElection election, Endpoints ends, KafkaRuntime kafka) {
        this.config = config;
        this.topics = topics;
        this.election = election;
        this.ends = ends;
        this.kafka = kafka;
    }

    /**
     * Takes the slot over, checks (and prepares) the source's publication and slot for the
     * configured tables, and sizes them as the target holds them (with the DDL apply followed).
     */
    BringUpPlan plan(Dialect dialect, LossyPolicy lossy) throws Exception {
        SlotTakeover.endReader(ends.source(), config.source().slot()); // the leader before us is gone: its walsender must not hold the slot
        return tables(dialect, lossy);
    }

    /**
     * Checks (and prepares) the source's publication for the configured tables and sizes them as
     * the target holds them, leaving the slot's reader alone (a control plane's is Kafka Connect).
     */
    BringUpPlan tables(Dialect dialect, LossyPolicy lossy) throws Exception {
        GreenlightConfig.Source src = config.source();
        AgroalDataSource source = ends.source();
        List<TableId> configured = src.tables().orElse(List.of()).stream().map(String::trim).map(TableId::parse).toList();
        Map<TableId, SourceTable> tables;
        try (Connection connection = source.getConnection(); Connection targetConnection = ends.target().getConnection()) {
            tables = TargetTables.sized(connection, targetConnection, dialect,
                    new SourcePreflight(connection, config.schema().ddlCapture()).prepare(configured, src.publication(), src.slot()));
            // After source DDL apply followed: its recorded models (DDL still in the stream comes where it is)
            tables = new SchemaStore(dialect).overlay(targetConnection, tables);
        }
        return BringUpPlan.of(dialect, tables, PreflightReport.of(dialect, tables.values(), lossy));
    }

    /**
     * Creates the bookkeeping and the tables on the target, raises its leader epoch, reads the
     * stored positions and refuses to capture from a slot that lost changes. External Kafka:
     * connects and creates the topics first (capture's position is stored there).
     */
    StartPositions positions(BringUpPlan plan, CompletableFuture<String> kafkaUp) throws Exception {
        Map<TableId, SourceTable> tables = plan.tables();
        Dialect dialect = plan.dialect();
        AgroalDataSource target = ends.target();
        topics.refuseCollisions(tables.keySet());
        OffsetStore offsets = new OffsetStore(dialect);
        try (Connection connection = target.getConnection()) {
            offsets.createTable(connection);
            TargetTables.create(connection, dialect, tables.values());
        }
        // The target learns this leader's epoch before apply's first transaction: the one before commits nothing more.
        election.raiseTargetEpoch(target, dialect);

        // What earlier runs stored, read once: it decides both the slot check and whether this is a first start.
        Map<TopicPartition, PartitionPosition> applied;
        try (Connection connection = target.getConnection()) {
            applied = offsets.load(connection);
        }
        Optional<List<TopicPartition>> partitions = Optional.empty();
        if (!kafka.embedded()) { // capture's stored position is read from Kafka, from a topic that must be compacted
            kafka.connect(kafkaUp.get());
            partitions = Optional.of(kafka.createTopics(tables.keySet()));
        }
        Optional<SlotGuard.StoredProgress> captured = capturedPosition();
        guardSlot(captured, applied);
        if (captured.isEmpty() && !applied.isEmpty()) {
            // Capture's offsets are gone but the slot holds everything not applied (guardSlot): capture
            // re-publishes from the slot into topics the stored Kafka offsets no longer describe. Apply reads
            // them from their start; its watermarks skip what it applied before.
            try (Connection connection = target.getConnection()) {
                offsets.rewind(connection, applied.keySet().stream()
                        .filter(p -> p.topic().startsWith(topics.prefix() + ".")).toList());
            }
            LOG.warnf("Capture's source offsets are gone; it starts at slot %s's confirmed position, and apply re-reads "
                    + "the change topics from their start, skipping what it applied before.", config.source().slot());
        }
        return new StartPositions(offsets, applied, captured, partitions);
    }

    /** The source position capture last committed: in a file beside an embedded broker, else in Kafka. */
    private Optional<SlotGuard.StoredProgress> capturedPosition() throws Exception {
        if (kafka.embedded()) {
            Path file = DebeziumProperties.sourceOffsetsFile(config);
            return SourceOffsets.lastLsn(file, DebeziumProperties.engineName(topics))
                    .map(lsn -> new SlotGuard.StoredProgress(lsn, "capture's source offset in " + file, true));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.clients().consumer("slot-guard", 500)) {
            return SourceOffsets.lastLsn(consumer, topics.sourceOffsets(), DebeziumProperties.engineName(topics),
                            Duration.ofSeconds(60))
                    .map(lsn -> new SlotGuard.StoredProgress(lsn, "capture's source offset in Kafka topic " + topics.sourceOffsets(), true));
        }
    }

    /** Refuses to capture from a slot that vanished or was replaced after Greenlight replicated from it. */
    private void guardSlot(Optional<SlotGuard.StoredProgress> captured, Map<TopicPartition, PartitionPosition> applied)
            throws Exception {
        GreenlightConfig.Source src = config.source();
        Optional<SlotGuard.SlotState> slot;
        try (Connection connection = ends.source().getConnection()) {
            slot = SlotGuard.SlotState.read(connection, src.slot());
        }
        Optional<SlotGuard.StoredProgress> stored = captured.isPresent() ? captured : applied.entrySet().stream()
                .filter(e -> e.getKey().topic().startsWith(topics.prefix() + ".") && e.getValue().watermark() != null)
                .map(e -> e.getValue().watermark().lastCommitLsn()).max(Long::compareUnsigned)
                .map(lsn -> new SlotGuard.StoredProgress(lsn, "the target's greenlight_offsets", false));
        SlotGuard.Decision decision = SlotGuard.decide(src.slot(), slot, stored, src.acceptSlotGap());
        if (!decision.proceed()) {
            throw new IllegalStateException(decision.refusal());
        }
        if (src.acceptSlotGap() && stored.isPresent()) {
            LOG.warnf("greenlight.source.accept-slot-gap is set: capture starts from slot %s whatever it skipped "
                    + "after LSN %s. Run POST /verify once lag is low.", src.slot(), SlotGuard.lsn(stored.get().lsn()));
        }
    }
}
