package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.greenlight.apply.ApplyGate;
import io.greenlight.apply.ApplyLoop;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.DeadLetters;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PartitionPosition;
import io.greenlight.apply.PoisonPolicy;
import io.greenlight.apply.RetentionKeeper;
import io.greenlight.apply.RetentionWatch;
import io.greenlight.apply.TablePauses;
import io.greenlight.apply.SchemaEvolution;
import io.greenlight.apply.TargetTables;
import io.greenlight.backfill.Backfill;
import io.greenlight.backfill.BackfillException;
import io.greenlight.backfill.BackfillProgress;
import io.greenlight.backfill.Recopy;
import io.greenlight.capture.CaptureEngine;
import io.greenlight.capture.ChangePublisher;
import io.greenlight.capture.ConnectorConfigFile;
import io.greenlight.capture.DdlRouting;
import io.greenlight.capture.DebeziumProperties;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.capture.SnapshotProgress;
import io.greenlight.capture.SlotGuard;
import io.greenlight.capture.SourceCleanup;
import io.greenlight.capture.SourceOffsets;
import io.greenlight.capture.SourcePreflight;
import io.greenlight.config.ConfigValidator;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.kafka.EmbeddedKafkaBroker;
import io.greenlight.kafka.KafkaClients;
import io.greenlight.kafka.TopicAdmin;
import io.greenlight.kafka.TopicNames;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.lag.SlotLagPoller;
import io.greenlight.leader.LeaderElection;
import io.greenlight.leader.SlotTakeover;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Wires and runs the data path: broker (embedded or external) → capture → Kafka → apply →
 * target. Starts in the background so HTTP, health and /status answer while it comes up or
 * after it failed; stops in reverse order.
 */
@ApplicationScoped
public class Pipeline {

    private static final Logger LOG = Logger.getLogger(Pipeline.class);

    private final GreenlightConfig config;
    private final PipelineState state;
    private final PipelineMeters meters;
    private final LagTracker lag;
    private final TopicNames topics;
    private final TablePauses pauses;
    private final ApplyGate gate;
    private DeadLetters deadLetters;

    private final Object brokerLock = new Object();
    private volatile EmbeddedKafkaBroker broker;
    private String embeddedServers;
    private volatile String bootstrapServers;
    private AgroalDataSource source;
    private AgroalDataSource target;
    private KafkaClients kafka;
    private KafkaProducer<byte[], byte[]> producer;
    private CaptureEngine capture;
    private ApplyLoop apply;
    private volatile BatchWriter writer;
    private SnapshotProgress snapshot;
    private RetentionKeeper retention;
    private HeartbeatWriter heartbeat;
    private SlotLagPoller slotLag;
    private volatile Map<TableId, SourceTable> tables = Map.of();
    private volatile Dialect dialect;
    private volatile PreflightReport preflight;
    private Thread starter;
    private Thread applyThread;
    /** Bumped by every start and stop: a bring-up that was overtaken starts nothing. */
    private long generation;
    private volatile Backfill backfill;
    private volatile boolean backfilling;

    private final Event<PipelineStarted> started;
    private final LeaderElection election;

    public Pipeline(GreenlightConfig config, PipelineState state, PipelineMeters meters, LagTracker lag,
                    Event<PipelineStarted> started, TablePauses pauses, ApplyGate gate, LeaderElection election) {
        this.election = election;
        this.pauses = pauses;
        this.gate = gate;
        this.started = started;
        this.config = config;
        this.state = state;
        this.meters = meters;
        this.lag = lag;
        this.topics = new TopicNames(config.kafka().topicPrefix());
    }

    void onStart(@Observes StartupEvent event) {
        ConfigValidator.validate(config);
        // A bad connector file refuses the start like a bad key does, before anything connects.
        config.capture().connectorConfig().ifPresent(file -> LOG.infof("Connector settings from %s override the built-in ones: %s",
                file, new TreeSet<>(ConnectorConfigFile.load(Path.of(file)).stringPropertyNames())));
        election.whenLeader(this::start); // a standby checked its config and waits; only the leader runs the data path
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        synchronized (this) {
            if (slotLag != null) {
                slotLag.close();
                slotLag = null;
            }
            closeQuietly(source);
            closeQuietly(target);
            source = null;
            target = null;
        }
        stopBroker();
    }

    /** Brings the pipeline up on a background thread; failures end in phase FAILED with the cause. */
    public void start() {
        stop(); // a start while running restarts: one set of components at a time
        synchronized (this) {
            startLocked();
        }
    }

    private void startLocked() {
        state.restarting();
        long current = ++generation;
        starter = new Thread(() -> bringUp(current), "greenlight-start");
        starter.start();
    }

    /**
     * Stops capture first (nothing new enters Kafka), then apply, keeping the broker, the slot,
     * the pools and the slot-lag poller: what the source retains while stopped stays visible,
     * and a cutover record can still be written.
     */
    public void stop() {
        Thread bringingUp;
        synchronized (this) {
            generation++;
            bringingUp = starter;
            starter = null;
        }
        Backfill copying = backfill;
        if (copying != null) {
            copying.close(); // a bring-up copying tables ends its copy instead of finishing it
        }
        if (bringingUp != null) {
            // Outside the lock: the bring-up takes it to start components, sees it was overtaken, and ends.
            bringingUp.interrupt();
            join(bringingUp);
        }
        stopComponents();
    }

    private synchronized void stopComponents() {
        backfill = null;
        if (heartbeat != null) {
            heartbeat.close();
            heartbeat = null;
        }
        if (capture != null) {
            capture.close();
            capture = null;
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
        if (apply != null) {
            apply.close();
            join(applyThread);
            apply = null;
        }
        if (retention != null) {
            retention.close();
            retention = null;
        }
        if (deadLetters != null) {
            deadLetters.close();
            deadLetters = null;
        }
        if (state.phase() != PipelineState.Phase.FAILED) {
            state.phase(PipelineState.Phase.STOPPED);
        }
    }

    private void bringUp(long bringUpGeneration) {
        Backfill fill = null;
        CompletableFuture<Void> kafkaSide = null;
        try {
            boolean embedded = config.kafka().bootstrapServers().isEmpty();
            if (embedded) {
                EmbeddedKafkaBroker.ensureLogDir(brokerLogDir()); // an unusable data-dir fails before anything else
            }
            // The embedded broker takes seconds to start; the source and target checks and a
            // backfill's copy do not need it, so it starts alongside them.
            CompletableFuture<String> kafkaUp = embedded
                    ? CompletableFuture.supplyAsync(this::startBroker, runnable -> new Thread(runnable, "greenlight-broker-start").start())
                    : CompletableFuture.completedFuture(config.kafka().bootstrapServers().get());
            GreenlightConfig.Source src = config.source();
            if (source == null) {
                // Lives as long as the process: slot lag stays visible while the pipeline is stopped.
                source = DataSources.source(src.url().orElseThrow(), src.username().orElseThrow(), src.password(),
                        config.verify().parallelism() + 4); // a verification holds one per table it reads
            }
            GreenlightConfig.Target tgt = config.target();
            if (target == null) {
                target = DataSources.target(tgt.url().orElseThrow(), tgt.username().orElseThrow(), tgt.password(),
                        tgt.poolSize());
            }
            LossyPolicy lossy = LossyPolicy.of(config.types().lossyAccept().orElse(List.of()));
            Dialect dialect;
            try (Connection connection = target.getConnection(); Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                dialect = Dialect.forTarget(tgt.url().orElseThrow(), rs.getString(1), lossy);
            }
            this.dialect = dialect;

            SlotTakeover.endReader(source, src.slot()); // the leader before us is gone: its walsender must not hold the slot
            List<TableId> configured = src.tables().orElse(List.of()).stream().map(String::trim).map(TableId::parse).toList();
            try (Connection connection = source.getConnection(); Connection targetConnection = target.getConnection()) {
                tables = TargetTables.sized(connection, targetConnection, dialect,
                        new SourcePreflight(connection, config.schema().ddlCapture()).prepare(configured, src.publication(), src.slot()));
                // After source DDL apply followed: its recorded models (DDL still in the stream comes where it is)
                tables = new io.greenlight.apply.SchemaStore(dialect).overlay(targetConnection, tables);
            }
            LOG.infof("Capturing %d table(s): %s", tables.size(), tables.keySet());
            PreflightReport report = PreflightReport.of(dialect, tables.values(), lossy);
            preflight = report;
            LOG.info(report.describe());
            if (!report.problems().isEmpty()) {
                throw new IllegalStateException("Greenlight refuses to start, the target cannot hold these names:\n  - "
                        + String.join("\n  - ", report.problems()));
            }
            Map<TableId, String> lossHeld = new java.util.TreeMap<>();
            tables.keySet().forEach(t -> report.unacceptedLoss(t).ifPresent(why -> lossHeld.put(t, why)));
            lossHeld.values().forEach(LOG::error);
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
            List<TopicPartition> externalPartitions = null;
            if (!embedded) { // capture's stored position is read from Kafka, from a topic that must be compacted
                connectKafka(kafkaUp.get());
                externalPartitions = createTopics();
            }
            Optional<SlotGuard.StoredProgress> captured = capturedPosition(embedded);
            guardSlot(src, captured, applied);
            if (captured.isEmpty() && !applied.isEmpty()) {
                // Capture's offsets are gone but the slot holds everything not applied (guardSlot): capture
                // re-publishes from the slot into topics the stored Kafka offsets no longer describe. Apply reads
                // them from their start; its watermarks skip what it applied before.
                try (Connection connection = target.getConnection()) {
                    offsets.rewind(connection, applied.keySet().stream()
                            .filter(p -> p.topic().startsWith(topics.prefix() + ".")).toList());
                }
                LOG.warnf("Capture's source offsets are gone; it starts at slot %s's confirmed position, and apply re-reads "
                        + "the change topics from their start, skipping what it applied before.", src.slot());
            }
            if (kafkaUp.isCompletedExceptionally()) {
                kafkaUp.get(); // a broker that cannot start fails the start before a slot is created
            }
            // Snapshot mode backfill copies every unfinished table; other modes only those a recopy was asked for.
            Map<TableId, SourceTable> toCopy = new java.util.LinkedHashMap<>("backfill".equals(src.snapshotMode()) ? tables
                    : Recopy.pending(target, dialect, tables));
            toCopy.keySet().removeAll(lossHeld.keySet()); // copied by the start that accepts the loss
            if ("backfill".equals(src.snapshotMode()) || !toCopy.isEmpty()) {
                // stop-pipeline stops at a refused row as apply does; otherwise the row's table pauses
                boolean stop = PoisonPolicy.Mode.of(config.apply().onError()) == PoisonPolicy.Mode.STOP_PIPELINE;
                fill = new Backfill(config.backfill(), src, tgt, source, target, dialect, toCopy, meters,
                        stop ? null : pauses::pauseCopy);
                fill.fencedBy(election.targetFence(target, dialect));
                synchronized (this) {
                    if (bringUpGeneration != generation) {
                        return;
                    }
                    backfill = fill;
                }
                fill.prepare(captured.isPresent() || !applied.isEmpty());
                backfilling = fill.hasWork();
            }
            // Topics and components as soon as Kafka is up; capture streams into Kafka while the backfill copies.
            Backfill copying = fill;
            List<TopicPartition> created = externalPartitions;
            kafkaSide = kafkaUp.thenAcceptAsync(servers -> {
                try {
                    startKafkaSide(bringUpGeneration, servers, created, src, offsets, copying);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, runnable -> new Thread(runnable, "greenlight-start-kafka").start());
            kafkaSide.whenComplete((ignored, failure) -> {
                if (failure != null && copying != null) {
                    copying.close(); // without Kafka nothing can stream: end the copy now rather than at its end
                }
            });
            if (fill != null) {
                state.phase(PipelineState.Phase.SNAPSHOT);
                fill.run(); // apply starts on the complete copy
                backfilling = false;
                advancePhase();
            }
            kafkaSide.get();
            synchronized (this) {
                if (bringUpGeneration != generation) {
                    return;
                }
                // Tables the backfill paused (their copy is incomplete) and tables whose loss is not accepted:
                // apply holds them until a resume or restart copies them. Again: starting the components reset the pauses.
                Map<TableId, String> incomplete = new java.util.TreeMap<>(lossHeld);
                if (fill != null) {
                    incomplete.putAll(fill.paused());
                }
                if (!incomplete.isEmpty()) {
                    Map<TableId, String> held = new HashMap<>();
                    incomplete.forEach((table, error) -> {
                        pauses.pauseCopy(table, error);
                        held.put(table, topics.table(table));
                    });
                    apply.holdFromStart(held);
                }
                applyThread.start();
            }
            LOG.infof("Pipeline started: source → Kafka %s%s → %s target", bootstrapServers,
                    embedded ? " (embedded)" : "", dialect.name());
            started.fire(new PipelineStarted());
        } catch (Exception e) {
            // A copy ended because Kafka could not be set up reports Kafka's failure, not its own.
            Throwable cause = kafkaSide != null && kafkaSide.isCompletedExceptionally() ? failureOf(kafkaSide)
                    : e instanceof ExecutionException ? e.getCause() : e;
            if (StaleLeaderException.in(cause)) {
                election.refused(cause);
            }
            if (!(cause instanceof InterruptedException)) {
                failed("startup", cause, "Fix the cause named above and restart Greenlight.");
            }
        }
    }

    private static Throwable failureOf(CompletableFuture<?> failed) {
        try {
            failed.join();
            throw new IllegalStateException("not failed");
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private void connectKafka(String servers) {
        bootstrapServers = servers;
        kafka = new KafkaClients(servers, "greenlight-" + topics.prefix());
    }

    /** Creates the embedded broker's topics, then starts capture (and builds apply) unless a stop overtook this bring-up. */
    private void startKafkaSide(long bringUpGeneration, String servers, List<TopicPartition> created,
                                GreenlightConfig.Source src, OffsetStore offsets, Backfill copying) throws Exception {
        List<TopicPartition> partitions = created;
        if (partitions == null) {
            connectKafka(servers);
            partitions = createTopics();
        }
        synchronized (this) {
            if (bringUpGeneration != generation) {
                return; // stopped (or started again) while this bring-up was preparing: two apply loops must never run
            }
            startComponents(src, partitions, offsets);
            if (copying != null) {
                apply.skipping(copying.alreadyCopied());
            }
        }
    }

    private List<TopicPartition> createTopics() throws Exception {
        List<String> changeTopics = new ArrayList<>(tables.keySet().stream().map(topics::table).toList());
        try (TopicAdmin admin = new TopicAdmin(kafka.admin())) {
            if (config.kafka().bootstrapServers().isPresent()) { // embedded: offsets in a file (DebeziumProperties)
                admin.ensureCompactedTopic(topics.sourceOffsets(), config.kafka().replicationFactor());
            }
            // The embedded broker keeps changes until they are applied (RetentionKeeper deletes those), as a
            // single node has no one else to read them from; an external cluster's retention is the operator's.
            Duration retention = config.kafka().bootstrapServers().isEmpty() ? Duration.ofMillis(-1) : config.kafka().retention();
            admin.ensureChangeTopics(changeTopics, config.kafka().partitions(), config.kafka().replicationFactor(), retention);
            if (config.kafka().bootstrapServers().isEmpty()) {
                admin.setRetention(changeTopics, retention); // topics an earlier version created with a retention
            }
            if (config.apply().deadLetterTopic().isPresent()) {
                admin.ensureChangeTopics(List.of(config.apply().deadLetterTopic().get()), 1,
                        config.kafka().replicationFactor(), config.kafka().retention());
            }
            return admin.partitionsOf(changeTopics);
        }
    }

    private void startComponents(GreenlightConfig.Source src, List<TopicPartition> partitions, OffsetStore offsets) {
        pauses.reset(applicationTables());
        applicationTables().forEach(t -> meters.deadLetterCounter(t.toString()));
        BatchWriter writer = new BatchWriter(dialect, tables, new SchemaEvolution(source, dialect,
                config.schema().ddlCapture() == GreenlightConfig.Schema.DdlCapture.TRIGGERS, config.schema().droppedColumns()));
        this.writer = writer;
        deadLetters = config.apply().deadLetterTopic().map(topic -> new DeadLetters(topic, kafka, meters)).orElse(null);
        if (deadLetters != null) {
            LOG.warnf("greenlight.apply.dead-letter-topic=%s: changes the target cannot take are copied there and NOT "
                    + "applied; their tables go on. Each one is logged and counted in greenlight_dead_letter_events_total.",
                    deadLetters.topic());
        }
        PoisonPolicy poison = new PoisonPolicy(PoisonPolicy.Mode.of(config.apply().onError()),
                Optional.ofNullable(deadLetters), pauses, target, writer, offsets);
        apply = new ApplyLoop(kafka.applyConsumer(config.apply().batchSize()), partitions, target,
                writer, offsets, meters, lag,
                config.apply().batchSize(),
                config.apply().batchMaxWait(), e -> {
                    if (StaleLeaderException.in(e)) {
                        election.refused(e);
                    }
                    failed("apply", e, "Fix the cause named above, then restart Greenlight; apply resumes from the target's greenlight_offsets.");
                },
                poison, pauses);
        apply.fencedBy(election.targetFence(target, dialect)); // every apply transaction checks the leader's epoch
        apply.gatedBy(gate, tables); // a cutover holds or closes it
        Map<String, TableId> byTopic = new java.util.HashMap<>();
        tables.keySet().forEach(t -> byTopic.put(topics.table(t), t));
        apply.naming(topic -> Optional.ofNullable(byTopic.get(topic)));
        applyThread = new Thread(apply, "greenlight-apply"); // started by the bring-up once any backfill is done
        Optional<RetentionKeeper.Trim> trim = config.kafka().bootstrapServers().isPresent() ? Optional.empty()
                : Optional.of(new RetentionKeeper.Trim(kafka::admin, target, offsets, partitions));
        retention = new RetentionKeeper(trim, pauses, new RetentionWatch(trim.isPresent() ? Duration.ofMillis(-1)
                : config.kafka().retention(), topics::table));
        retention.start();

        producer = kafka.producer("capture");
        snapshot = new SnapshotProgress(topics.prefix());
        capture = new CaptureEngine(DebeziumProperties.of(config, tables, topics, bootstrapServers),
                new ChangePublisher(producer, meters, lag, this::advancePhase, ddlRouting()), e -> failed("capture", e,
                "Check the source and Kafka are reachable and the slot exists, then restart Greenlight; capture resumes from its offsets in Kafka."));
        capture.start();
        heartbeat = new HeartbeatWriter(source, lag);
        heartbeat.start(config.heartbeat().interval());
        if (slotLag == null) {
            slotLag = new SlotLagPoller(source, src.slot(), meters, this::slotGone);
            slotLag.start(Duration.ofSeconds(2));
        }
        state.phase(PipelineState.Phase.SNAPSHOT);
    }

    /** Routes the source's DDL messages into the captured tables' topics (see {@link DdlRouting}). */
    private DdlRouting ddlRouting() {
        try (Connection connection = source.getConnection()) {
            // Without greenlight.source.tables every table of schema public is migrated, also one created later.
            Set<String> migrated = config.source().tables().isEmpty() ? Set.of("public") : Set.of();
            return DdlRouting.of(connection, applicationTables(), topics::table, migrated, this::tableCreated, this::tableRenamed);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the captured tables' oids from the source failed: " + e.getMessage(), e);
        }
    }

    private final Set<TableId> created = ConcurrentHashMap.newKeySet();

    /**
     * A table created on the source in a migrated schema (capture saw its CREATE TABLE): recorded on the target
     * as a table to copy, then the pipeline restarts, which adds it to the publication, creates it on the target,
     * copies it at a fresh snapshot and streams it from there (apply skips what the copy holds).
     */
    private void tableCreated(TableId table) {
        if (!created.add(table)) {
            return;
        }
        Thread restart = new Thread(() -> {
            try {
                Optional<SourceTable> model;
                try (Connection connection = source.getConnection()) {
                    model = new io.greenlight.schema.SourceCatalog(connection).table(table);
                }
                if (model.isEmpty()) {
                    LOG.infof("Table %s was created on the source and is gone again; nothing to migrate", table);
                    return;
                }
                LOG.infof("Table %s was created on the source in a migrated schema: restarting to capture it, copy it and "
                        + "stream it", table);
                SourceTable sized;
                try (Connection sourceConnection = source.getConnection(); Connection targetConnection = target.getConnection()) {
                    sized = TargetTables.sized(sourceConnection, targetConnection, dialect, Map.of(table, model.get())).get(table);
                    TargetTables.create(targetConnection, dialect, List.of(sized));
                }
                Recopy.request(target, dialect, sized, topics.table(table));
                start();
            } catch (Exception e) {
                failed("capture", e, "Table " + table + " was created on the source but could not be added; restart Greenlight "
                        + "to capture it.");
            } finally {
                created.remove(table);
            }
        }, "greenlight-new-table");
        restart.start();
    }

    /**
     * A captured table renamed on the source in a migrated schema: stopped, forgotten under its old name (target
     * table, positions, model; see {@link io.greenlight.backfill.RenamedTable}) and copied under the new one.
     */
    private void tableRenamed(TableId from, TableId to) {
        SourceTable old = tables.get(from);
        if (old == null || !created.add(to)) {
            return;
        }
        new Thread(() -> {
            try {
                stop();
                io.greenlight.backfill.RenamedTable.forget(target, dialect, old, topics.table(from));
                LOG.infof("Table %s was renamed to %s on the source: its target table and positions are dropped; it is "
                        + "copied under its new name", from, to);
            } catch (Exception e) {
                failed("capture", e, "Table " + from + " was renamed to " + to + " on the source but could not be followed; "
                        + "restart Greenlight, which copies " + to + ", and drop the target's table " + from + ".");
                return;
            } finally {
                created.remove(to);
            }
            tableCreated(to);
        }, "greenlight-renamed-table").start();
    }

    /** Refuses to capture from a slot that vanished or was replaced after Greenlight replicated from it. */
    private void guardSlot(GreenlightConfig.Source src, Optional<SlotGuard.StoredProgress> captured,
                           Map<TopicPartition, PartitionPosition> applied) throws Exception {
        Optional<SlotGuard.SlotState> slot;
        try (Connection connection = source.getConnection()) {
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

    /** The poller saw the slot vanish: stop capture before it recreates the slot and streams on past a gap. */
    private void slotGone(long lastConfirmed) {
        synchronized (this) {
            if (capture == null) {
                return; // stopped on purpose (or cleaned up): nothing is reading the slot
            }
            capture.close();
            capture = null;
        }
        failed("capture", new IllegalStateException(SlotGuard.gone(config.source().slot(),
                        new SlotGuard.StoredProgress(lastConfirmed, "the slot's last confirmed position", false))),
                "Capture stopped; see the remedies above.");
    }

    /**
     * Stops the pipeline for good and removes the slot, and the publication and heartbeat table
     * Greenlight created, from the source. The caller decides whether that is safe (cutover done).
     */
    public SourceCleanup.Result cleanupSource() throws SQLException, InterruptedException {
        stop();
        if (source == null) {
            throw new IllegalStateException("The source has not been reached yet; nothing to clean up from here.");
        }
        try (Connection connection = source.getConnection()) {
            connection.setAutoCommit(true);
            SourceCleanup.Result result = new SourceCleanup(connection).run(config.source().slot(),
                    config.source().publication(), Duration.ofSeconds(30));
            LOG.infof("Source cleanup: dropped %s; kept %s", result.dropped(), result.kept());
            return result;
        }
    }

    /**
     * POST /tables/{table}/recopy: stops the pipeline, records the request on the target (the
     * table emptied, apply's positions in its topic forgotten) and starts again, which copies the
     * table at a fresh snapshot before apply goes on (see {@link Recopy}).
     */
    public void recopy(TableId table) throws SQLException {
        SourceTable model = tables.get(table);
        Dialect targetDialect = dialect;
        AgroalDataSource pool = target;
        if (model == null || targetDialect == null || pool == null) {
            throw new IllegalStateException("Greenlight has not reached the source and target yet; a recopy of " + table
                    + " needs both. GET /status shows why; retry once the pipeline started.");
        }
        stop();
        Recopy.request(pool, targetDialect, model, topics.table(table));
        LOG.infof("Recopy of %s requested: emptied on the target, apply's positions in %s forgotten; restarting to copy it",
                table, topics.table(table));
        start();
    }

    /** POST /tables/recopy: every table copied again (see {@link #recopy}), every stored position forgotten. */
    public void recopyAll() throws SQLException {
        Dialect targetDialect = dialect;
        AgroalDataSource pool = target;
        Map<TableId, SourceTable> all = tables;
        if (all.isEmpty() || targetDialect == null || pool == null) {
            throw new IllegalStateException("Greenlight has not reached the source and target yet; a recopy needs both. "
                    + "GET /status shows why; retry once they are reachable.");
        }
        stop();
        for (SourceTable table : all.values()) {
            Recopy.request(pool, targetDialect, table, topics.table(table.id()));
        }
        LOG.infof("Recopy of all %d table(s) requested; restarting to copy them", all.size());
        start();
    }

    private void failed(String component, Throwable cause, String action) {
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
        if (state.fail(component, reason, action)) {
            LOG.errorf("Pipeline FAILED in %s: %s%s %s", component, reason, reason.endsWith(".") ? "" : ".", action);
        }
    }

    /** Not under the pipeline's lock: the broker starts while the bring-up goes on. */
    private String startBroker() {
        synchronized (brokerLock) {
            if (broker == null) { // a restart (stop, start) keeps the broker that is running
                EmbeddedKafkaBroker starting = new EmbeddedKafkaBroker(brokerLogDir(), 0);
                embeddedServers = starting.start();
                broker = starting;
            }
            return embeddedServers;
        }
    }

    private Path brokerLogDir() {
        return Path.of(config.dataDir(), "kafka");
    }

    private void stopBroker() {
        synchronized (brokerLock) {
            if (broker != null) {
                broker.close();
                broker = null;
            }
        }
    }

    /** Stops the embedded broker in place, as a broker crash looks to capture and apply (tests use it). */
    void stopEmbeddedBroker() {
        EmbeddedKafkaBroker b = broker;
        if (b != null) {
            b.close();
        }
    }

    /**
     * Stops the pipeline and the embedded broker and deletes the broker's log and capture's source
     * offsets, as a pod rescheduled onto a fresh ephemeral volume has lost them (tests use it).
     */
    void discardEmbeddedBrokerData() throws java.io.IOException {
        stop();
        stopBroker();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(brokerLogDir())) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        java.nio.file.Files.deleteIfExists(DebeziumProperties.sourceOffsetsFile(config));
    }

    /** Starts the embedded broker again on its port and log directory. */
    void startEmbeddedBroker() {
        EmbeddedKafkaBroker b = broker;
        if (b != null) {
            b.start();
        }
    }

    /** SNAPSHOT until the backfill is done and the connector reports its snapshot done, then STREAMING. */
    public PipelineState.Phase phase() {
        advancePhase();
        return state.phase();
    }

    /** Checked after each batch capture published and when the backfill ends: the phase moves without readers. */
    private void advancePhase() {
        SnapshotProgress progress = snapshot;
        if (state.phase() == PipelineState.Phase.SNAPSHOT && !backfilling && progress != null && progress.snapshotDone()) {
            state.advance(PipelineState.Phase.SNAPSHOT, PipelineState.Phase.STREAMING);
        }
    }

    private final Set<TableId> recopying = ConcurrentHashMap.newKeySet();

    /**
     * Copies a table the backfill paused again (on its own thread, while the others stream) and then
     * lets apply resume it; a row still refused pauses it again with the new error. Why it cannot
     * start, if it cannot.
     */
    public Optional<String> copyPausedTableAgain(TableId table) {
        PreflightReport report = preflight;
        Optional<String> loss = report == null ? Optional.empty() : report.unacceptedLoss(table);
        if (loss.isPresent()) {
            return loss; // a copy now would store the loss that was not accepted
        }
        Backfill fill = backfill;
        if (fill == null) {
            return Optional.of("The pipeline is not running: restart Greenlight, which copies " + table + " again.");
        }
        if (!recopying.add(table)) {
            return Optional.of("Table " + table + " is being copied again already; GET /status shows when it streams "
                    + "(or why it paused again).");
        }
        Thread copy = new Thread(() -> {
            try {
                fill.recopy(table);
                pauses.copied(table);
            } catch (BackfillException e) {
                pauses.pauseCopy(table, e.getMessage());
                LOG.errorf("Backfill of %s paused again: %s", table, e.getMessage());
            } catch (Exception e) {
                pauses.pauseCopy(table, "Copying " + table + " again failed: " + e.getMessage()
                        + ". POST /tables/" + table + "/resume to try again, or restart Greenlight.");
                LOG.errorf(e, "Copying %s again failed", table);
            } finally {
                recopying.remove(table);
            }
        }, "greenlight-recopy");
        copy.start();
        return Optional.empty();
    }

    /** The initial load's progress, when greenlight.source.snapshot-mode is backfill. */
    public Optional<BackfillProgress> backfillProgress() {
        Backfill b = backfill;
        return b == null ? Optional.empty() : Optional.of(b.progress());
    }

    /** The source position capture last committed: in a file beside an embedded broker, else in Kafka. */
    private Optional<SlotGuard.StoredProgress> capturedPosition(boolean embedded) throws Exception {
        if (embedded) {
            Path file = DebeziumProperties.sourceOffsetsFile(config);
            return SourceOffsets.lastLsn(file, DebeziumProperties.engineName(topics))
                    .map(lsn -> new SlotGuard.StoredProgress(lsn, "capture's source offset in " + file, true));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("slot-guard", 500)) {
            return SourceOffsets.lastLsn(consumer, topics.sourceOffsets(), DebeziumProperties.engineName(topics),
                            Duration.ofSeconds(60))
                    .map(lsn -> new SlotGuard.StoredProgress(lsn, "capture's source offset in Kafka topic " + topics.sourceOffsets(), true));
        }
    }

    /** The captured tables as apply writes them now: with the source's DDL followed since the start. */
    public Map<TableId, SourceTable> tables() {
        BatchWriter current = writer;
        if (current == null) {
            return tables;
        }
        Map<TableId, SourceTable> evolved = current.tables();
        Map<TableId, SourceTable> ordered = new java.util.LinkedHashMap<>();
        tables.forEach((id, table) -> {
            if (evolved.containsKey(id)) { // a table dropped on the source is no longer captured
                ordered.put(id, evolved.get(id));
            }
        });
        return ordered;
    }

    /** The application's tables, without Greenlight's own heartbeat table. */
    public List<TableId> applicationTables() {
        return tables().keySet().stream().filter(t -> !t.schema().equals(HeartbeatWriter.SCHEMA)).toList();
    }

    /** Writes a heartbeat carrying a marker; returns the source WAL position after it. */
    public String writeMarker(String marker) {
        HeartbeatWriter writer = heartbeat;
        if (writer == null) {
            throw new IllegalStateException("The pipeline is not running");
        }
        return writer.beat(marker);
    }

    public Optional<javax.sql.DataSource> sourcePool() {
        return Optional.ofNullable(source);
    }

    public Optional<javax.sql.DataSource> targetPool() {
        return Optional.ofNullable(target);
    }

    /** The target's dialect, known once the pipeline reached the target. */
    public Optional<Dialect> dialect() {
        return Optional.ofNullable(dialect);
    }

    /** The type-mapping report of the last start, once the source and target were read. */
    public Optional<PreflightReport> preflight() {
        return Optional.ofNullable(preflight);
    }

    public boolean captureRunning() {
        CaptureEngine c = capture;
        return c != null && c.isRunning();
    }

    public boolean applyRunning() {
        ApplyLoop a = apply;
        return a != null && a.isRunning();
    }

    public Optional<String> bootstrapServers() {
        return Optional.ofNullable(bootstrapServers);
    }

    public boolean embeddedBroker() {
        return broker != null;
    }

    public boolean sourceReachable() {
        return valid(source);
    }

    public boolean targetReachable() {
        return valid(target);
    }

    public boolean kafkaReachable() {
        KafkaClients k = kafka;
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

    private static boolean valid(AgroalDataSource pool) {
        if (pool == null) {
            return false;
        }
        try (Connection connection = pool.getConnection()) {
            return connection.isValid(3);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AgroalDataSource pool) {
        if (pool != null) {
            pool.close();
        }
    }
}
