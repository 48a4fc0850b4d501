package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.greenlight.apply.ApplyGate;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PoisonPolicy;
import io.greenlight.apply.TablePauses;
import io.greenlight.apply.TargetTables;
import io.greenlight.backfill.Backfill;
import io.greenlight.backfill.BackfillException;
import io.greenlight.backfill.BackfillProgress;
import io.greenlight.backfill.Recopy;
import io.greenlight.capture.ConnectorConfigFile;
import io.greenlight.capture.DebeziumProperties;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.capture.SnapshotProgress;
import io.greenlight.capture.SlotGuard;
import io.greenlight.capture.SourceCleanup;
import io.greenlight.config.ConfigValidator;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.kafka.KafkaRuntime;
import io.greenlight.kafka.TopicNames;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.lag.SlotLagPoller;
import io.greenlight.leader.LeaderElection;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
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

    private final KafkaRuntime kafka;
    private final Endpoints ends;
    private final PipelineAssembler assembler;
    /** The parts of the current run; null while stopped. */
    private volatile RunningPipeline running;
    private volatile BatchWriter writer;
    private volatile SnapshotProgress snapshot;
    private SlotLagPoller slotLag;
    private final BringUpChecks checks;
    /** What the last bring-up found; null before the first one read the source and target. */
    private volatile BringUpPlan plan;
    private Thread starter;
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
        this.kafka = new KafkaRuntime(config.kafka(), topics, Path.of(config.dataDir(), "kafka"), config.apply().deadLetterTopic());
        this.ends = new Endpoints(config);
        this.checks = new BringUpChecks(config, topics, election, ends, kafka);
        this.assembler = new PipelineAssembler(config, topics, meters, lag, pauses, gate, election, this::failed,
                this::advancePhase, this::tableCreated);
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
            ends.close();
        }
        kafka.close();
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
        if (running != null) {
            running.close();
            running = null;
        }
        if (state.phase() != PipelineState.Phase.FAILED) {
            state.phase(PipelineState.Phase.STOPPED);
        }
    }

    private void bringUp(long bringUpGeneration) {
        Backfill fill = null;
        CompletableFuture<Void> kafkaSide = null;
        try {
            boolean embedded = kafka.embedded();
            // The embedded broker takes seconds to start; the source and target checks and a
            // backfill's copy do not need it, so it starts alongside them.
            CompletableFuture<String> kafkaUp = kafka.up();
            GreenlightConfig.Source src = config.source();
            GreenlightConfig.Target tgt = config.target();
            ends.open();
            AgroalDataSource source = ends.source();
            AgroalDataSource target = ends.target();
            LossyPolicy lossy = LossyPolicy.of(config.types().lossyAccept().orElse(List.of()));
            Dialect dialect = ends.readDialect(lossy);

            BringUpPlan planned = checks.plan(dialect, lossy);
            plan = planned;
            Map<TableId, SourceTable> tables = planned.tables();
            LOG.infof("Capturing %d table(s): %s", tables.size(), tables.keySet());
            LOG.info(planned.report().describe());
            Optional<String> refusal = planned.refusal();
            if (refusal.isPresent()) {
                throw new IllegalStateException(refusal.get());
            }
            Map<TableId, String> lossHeld = planned.lossHeld();
            lossHeld.values().forEach(LOG::error);
            StartPositions positions = checks.positions(planned, kafkaUp);
            if (kafkaUp.isCompletedExceptionally()) {
                kafkaUp.get(); // a broker that cannot start fails the start before a slot is created
            }
            // Snapshot mode backfill copies every unfinished table; other modes only those a recopy was asked for.
            boolean backfillMode = "backfill".equals(src.snapshotMode());
            Map<TableId, SourceTable> toCopy = planned.toCopy(backfillMode,
                    backfillMode ? Map.of() : Recopy.pending(target, dialect, tables));
            if (backfillMode || !toCopy.isEmpty()) {
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
                fill.prepare(positions.resumed());
                backfilling = fill.hasWork();
            }
            // Topics and components as soon as Kafka is up; capture streams into Kafka while the backfill copies.
            Backfill copying = fill;
            kafkaSide = kafkaUp.thenAcceptAsync(servers -> {
                try {
                    startKafkaSide(bringUpGeneration, servers, planned, positions, copying);
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
                    running.apply().holdFromStart(held);
                }
                running.startApply();
            }
            LOG.infof("Pipeline started: source → Kafka %s%s → %s target", kafka.bootstrapServers().orElse(null),
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

    /** Creates the embedded broker's topics, then starts capture (and builds apply) unless a stop overtook this bring-up. */
    private void startKafkaSide(long bringUpGeneration, String servers, BringUpPlan planned, StartPositions positions,
                                Backfill copying) throws Exception {
        List<TopicPartition> partitions = positions.partitions().orElse(null);
        if (partitions == null) {
            kafka.connect(servers);
            partitions = kafka.createTopics(planned.tables().keySet());
        }
        synchronized (this) {
            if (bringUpGeneration != generation) {
                return; // stopped (or started again) while this bring-up was preparing: two apply loops must never run
            }
            startComponents(planned.tables(), partitions, positions.offsets());
            if (copying != null) {
                running.apply().skipping(copying.alreadyCopied());
            }
        }
    }

    private void startComponents(Map<TableId, SourceTable> tables, List<TopicPartition> partitions, OffsetStore offsets) {
        pauses.reset(applicationTables());
        applicationTables().forEach(t -> meters.deadLetterCounter(t.toString()));
        RunningPipeline run = new RunningPipeline();
        running = run;
        try {
            assembler.assemble(run, tables, ends, kafka, partitions, offsets);
        } finally {
            writer = run.writer();
            snapshot = run.snapshot();
        }
        if (slotLag == null) {
            slotLag = new SlotLagPoller(ends.source(), config.source().slot(), meters, this::slotGone);
            slotLag.start(Duration.ofSeconds(2));
        }
        state.phase(PipelineState.Phase.SNAPSHOT);
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
                try (Connection connection = ends.source().getConnection()) {
                    model = new io.greenlight.schema.SourceCatalog(connection).table(table);
                }
                if (model.isEmpty()) {
                    LOG.infof("Table %s was created on the source and is gone again; nothing to migrate", table);
                    return;
                }
                LOG.infof("Table %s was created on the source in a migrated schema: restarting to capture it, copy it and "
                        + "stream it", table);
                SourceTable sized;
                try (Connection sourceConnection = ends.source().getConnection(); Connection targetConnection = ends.target().getConnection()) {
                    sized = TargetTables.sized(sourceConnection, targetConnection, ends.dialect(), Map.of(table, model.get())).get(table);
                    TargetTables.create(targetConnection, ends.dialect(), List.of(sized));
                }
                Recopy.request(ends.target(), ends.dialect(), sized, topics.table(table));
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

    /** The poller saw the slot vanish: stop capture before it recreates the slot and streams on past a gap. */
    private void slotGone(long lastConfirmed) {
        synchronized (this) {
            if (running == null || !running.closeCapture()) {
                return; // stopped on purpose (or cleaned up): nothing is reading the slot
            }
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
        if (ends.source() == null) {
            throw new IllegalStateException("The source has not been reached yet; nothing to clean up from here.");
        }
        try (Connection connection = ends.source().getConnection()) {
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
        SourceTable model = plannedTables().get(table);
        Dialect targetDialect = ends.dialect();
        AgroalDataSource pool = ends.target();
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
        Dialect targetDialect = ends.dialect();
        AgroalDataSource pool = ends.target();
        Map<TableId, SourceTable> all = plannedTables();
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

    /** Stops the embedded broker in place, as a broker crash looks to capture and apply (tests use it). */
    void stopEmbeddedBroker() {
        kafka.crashEmbeddedBroker();
    }

    /**
     * Stops the pipeline and the embedded broker and deletes the broker's log and capture's source
     * offsets, as a pod rescheduled onto a fresh ephemeral volume has lost them (tests use it).
     */
    void discardEmbeddedBrokerData() throws java.io.IOException {
        stop();
        kafka.discardEmbeddedBrokerData();
        java.nio.file.Files.deleteIfExists(DebeziumProperties.sourceOffsetsFile(config));
    }

    /** Starts the embedded broker again on its port and log directory. */
    void startEmbeddedBroker() {
        kafka.restartEmbeddedBroker();
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
        BringUpPlan last = plan;
        PreflightReport report = last == null ? null : last.report();
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

    /** The captured tables as apply writes them now: with the source's DDL followed since the start. */
    public Map<TableId, SourceTable> tables() {
        Map<TableId, SourceTable> tables = plannedTables();
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

    private Map<TableId, SourceTable> plannedTables() {
        BringUpPlan last = plan;
        return last == null ? Map.of() : last.tables();
    }

    /** The application's tables, without Greenlight's own heartbeat table. */
    public List<TableId> applicationTables() {
        return tables().keySet().stream().filter(t -> !t.schema().equals(HeartbeatWriter.SCHEMA)).toList();
    }

    /** Writes a heartbeat carrying a marker; returns the source WAL position after it. */
    public String writeMarker(String marker) {
        RunningPipeline run = running;
        HeartbeatWriter writer = run == null ? null : run.heartbeat();
        if (writer == null) {
            throw new IllegalStateException("The pipeline is not running");
        }
        return writer.beat(marker);
    }

    public Optional<javax.sql.DataSource> sourcePool() {
        return Optional.ofNullable(ends.source());
    }

    public Optional<javax.sql.DataSource> targetPool() {
        return Optional.ofNullable(ends.target());
    }

    /** The target's dialect, known once the pipeline reached the target. */
    public Optional<Dialect> dialect() {
        return Optional.ofNullable(ends.dialect());
    }

    /** The type-mapping report of the last start, once the source and target were read. */
    public Optional<PreflightReport> preflight() {
        return Optional.ofNullable(plan).map(BringUpPlan::report);
    }

    public boolean captureRunning() {
        RunningPipeline run = running;
        return run != null && run.captureRunning();
    }

    public boolean applyRunning() {
        RunningPipeline run = running;
        return run != null && run.applyRunning();
    }

    public Optional<String> bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public boolean embeddedBroker() {
        return kafka.embeddedBroker();
    }

    public boolean sourceReachable() {
        return ends.sourceReachable();
    }

    public boolean targetReachable() {
        return ends.targetReachable();
    }

    public boolean kafkaReachable() {
        return kafka.reachable();
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
}
