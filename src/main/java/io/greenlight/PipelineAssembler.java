package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.greenlight.apply.ApplyGate;
import io.greenlight.apply.ApplyLoop;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.DeadLetters;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PoisonPolicy;
import io.greenlight.apply.RetentionKeeper;
import io.greenlight.apply.RetentionWatch;
import io.greenlight.apply.SchemaEvolution;
import io.greenlight.apply.TablePauses;
import io.greenlight.capture.CaptureEngine;
import io.greenlight.capture.ChangePublisher;
import io.greenlight.capture.DdlRouting;
import io.greenlight.capture.DebeziumProperties;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.capture.SnapshotProgress;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.kafka.KafkaClients;
import io.greenlight.kafka.KafkaRuntime;
import io.greenlight.kafka.TopicNames;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.leader.LeaderElection;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds and starts the parts of one run into a {@link RunningPipeline}, in the order they must
 * start: dead letters, retention, apply (its thread started later, once any backfill is done),
 * the producer, capture and the heartbeat.
 */
final class PipelineAssembler {

    private static final Logger LOG = Logger.getLogger(PipelineAssembler.class);

    /** Where a part that fails while running reports: the component, the cause, what to do. */
    interface Failures {
        void failed(String component, Throwable cause, String action);
    }

    private final GreenlightConfig config;
    private final TopicNames topics;
    private final PipelineMeters meters;
    private final LagTracker lag;
    private final TablePauses pauses;
    private final ApplyGate gate;
    private final LeaderElection election;
    private final Failures failures;
    private final Runnable published;
    private final Consumer<TableId> tableCreated;
    private final java.util.function.BiConsumer<TableId, TableId> tableRenamed;

    /**
     * @param published    told after each batch capture published (the phase may move on)
     * @param tableCreated told of a table created on the source in a migrated schema
     * @param tableRenamed told of a captured table renamed on the source (old name, new name)
     */
    PipelineAssembler(GreenlightConfig config, TopicNames topics, PipelineMeters meters, LagTracker lag, TablePauses pauses,
                      ApplyGate gate, LeaderElection election, Failures failures, Runnable published,
                      Consumer<TableId> tableCreated, java.util.function.BiConsumer<TableId, TableId> tableRenamed) {
        this.config = config;
        this.topics = topics;
        this.meters = meters;
        this.lag = lag;
        this.pauses = pauses;
        this.gate = gate;
        this.election = election;
        this.failures = failures;
        this.published = published;
        this.tableCreated = tableCreated;
        this.tableRenamed = tableRenamed;
    }

    /** Starts the parts into {@code run}; a part that fails to start leaves those before it in {@code run} to close. */
    void assemble(RunningPipeline run, Map<TableId, SourceTable> tables, Endpoints ends, KafkaRuntime kafka,
                  List<TopicPartition> partitions, OffsetStore offsets) {
        AgroalDataSource source = ends.source();
        AgroalDataSource target = ends.target();
        Dialect dialect = ends.dialect();
        KafkaClients clients = kafka.clients();
        BatchWriter writer = new BatchWriter(dialect, tables, new SchemaEvolution(source, dialect,
                config.schema().ddlCapture() == GreenlightConfig.Schema.DdlCapture.TRIGGERS, config.schema().droppedColumns()));
        run.writer(writer);
        DeadLetters deadLetters = config.apply().deadLetterTopic().map(topic -> new DeadLetters(topic, clients, meters)).orElse(null);
        if (deadLetters != null) {
            run.started("dead letters", deadLetters, deadLetters);
            LOG.warnf("greenlight.apply.dead-letter-topic=%s: changes the target cannot take are copied there and NOT "
                    + "applied; their tables go on. Each one is logged and counted in greenlight_dead_letter_events_total.",
                    deadLetters.topic());
        }
        Optional<RetentionKeeper.Trim> trim = !kafka.embedded() ? Optional.empty()
                : Optional.of(new RetentionKeeper.Trim(clients::admin, target, offsets, partitions));
        RetentionKeeper retention = new RetentionKeeper(trim, pauses, new RetentionWatch(trim.isPresent() ? Duration.ofMillis(-1)
                : config.kafka().retention(), topics::table));
        retention.start();
        run.started("retention", retention, retention);
        PoisonPolicy poison = new PoisonPolicy(PoisonPolicy.Mode.of(config.apply().onError()),
                Optional.ofNullable(deadLetters), pauses, target, writer, offsets);
        ApplyLoop apply = new ApplyLoop(clients.applyConsumer(config.apply().batchSize()), partitions, target,
                writer, offsets, meters, lag,
                config.apply().batchSize(),
                config.apply().batchMaxWait(), e -> {
                    if (StaleLeaderException.in(e)) {
                        election.refused(e);
                    }
                    failures.failed("apply", e, "Fix the cause named above, then restart Greenlight; apply resumes from the target's greenlight_offsets.");
                },
                poison, pauses);
        apply.fencedBy(election.targetFence(target, dialect)); // every apply transaction checks the leader's epoch
        apply.gatedBy(gate, tables); // a cutover holds or closes it
        Map<String, TableId> byTopic = new HashMap<>();
        tables.keySet().forEach(t -> byTopic.put(topics.table(t), t));
        apply.naming(topic -> Optional.ofNullable(byTopic.get(topic)));
        run.apply(apply, new Thread(apply, "greenlight-apply")); // started by the bring-up once any backfill is done

        KafkaProducer<byte[], byte[]> producer = clients.producer("capture");
        run.started("producer", producer, () -> producer.close(Duration.ofSeconds(10)));
        run.snapshot(new SnapshotProgress(topics.prefix()));
        CaptureEngine capture = new CaptureEngine(DebeziumProperties.of(config, tables, topics, kafka.bootstrapServers().orElseThrow()),
                new ChangePublisher(producer, meters, lag, published, ddlRouting(source, tables)), e -> failures.failed("capture", e,
                "Check the source and Kafka are reachable and the slot exists, then restart Greenlight; capture resumes from its offsets in Kafka."));
        capture.start();
        run.capture(capture);
        HeartbeatWriter heartbeat = new HeartbeatWriter(source, lag);
        heartbeat.start(config.heartbeat().interval());
        run.heartbeat(heartbeat);
    }

    /** Routes the source's DDL messages into the captured tables' topics (see {@link DdlRouting}). */
    private DdlRouting ddlRouting(AgroalDataSource source, Map<TableId, SourceTable> tables) {
        List<TableId> application = tables.keySet().stream().filter(t -> !t.schema().equals(HeartbeatWriter.SCHEMA)).toList();
        try (Connection connection = source.getConnection()) {
            // Without greenlight.source.tables every table of schema public is migrated, also one created later.
            Set<String> migrated = config.source().tables().isEmpty() ? Set.of("public") : Set.of();
            return DdlRouting.of(connection, application, topics::table, migrated, tableCreated, tableRenamed);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the captured tables' oids from the source failed: " + e.getMessage(), e);
        }
    }
}
