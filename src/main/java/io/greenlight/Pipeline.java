package io.greenlight;

import io.greenlight.api.PipelineStatus;
import io.greenlight.api.TableControl;
import io.greenlight.apply.ApplyGate;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.TablePauses;
import io.greenlight.backfill.Backfill;
import io.greenlight.backfill.BackfillProgress;
import io.greenlight.capture.ConnectorConfigFile;
import io.greenlight.capture.DebeziumProperties;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.capture.SnapshotProgress;
import io.greenlight.capture.SlotGuard;
import io.greenlight.capture.SourceCleanup;
import io.greenlight.config.ConfigValidator;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.controlplane.ControlPlane;
import io.greenlight.cutover.DataPath;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.kafka.KafkaRuntime;
import io.greenlight.kafka.TopicNames;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.lag.SlotLagPoller;
import io.greenlight.leader.LeaderElection;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The lifecycle of the data path (source → capture → Kafka → apply → target) and its CDI
 * surface. A start runs a {@link BringUp} in the background, so HTTP, health and /status answer
 * while it comes up or after it failed; a stop closes the {@link RunningPipeline} in reverse
 * order. The parts: {@link Endpoints} (pools, dialect), {@link KafkaRuntime}, {@link BringUpChecks}
 * (returning a {@link BringUpPlan}), {@link PipelineAssembler}, {@link TableCopies}. The cutover
 * sees it as a {@link DataPath}, the REST resources as {@link PipelineStatus} and {@link TableControl}.
 */
@ApplicationScoped
public class Pipeline implements DataPath, PipelineStatus, TableControl {

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
    private final TableCopies copies;
    private final Owner owner = new Owner();
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
    /** greenlight.mode=control-plane: what watches the pipeline that runs in Kafka Connect; null otherwise or while stopped. */
    private volatile ControlPlane controlPlane;

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
        this.copies = new TableCopies(topics, pauses, ends, () -> plan, () -> backfill, this::start, this::stop, this::failed);
        this.assembler = new PipelineAssembler(config, topics, meters, lag, pauses, gate, election, this::failed,
                this::advancePhase, copies::tableCreated, copies::tableRenamed);
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
        if (config.mode() == GreenlightConfig.Mode.CONTROL_PLANE) {
            starter = new Thread(new ControlPlaneStart(current, owner, config, state, topics, lag, election, kafka, ends, checks,
                    this::controlPlaneStarted, this::failed, () -> started.fire(new PipelineStarted())), "greenlight-start");
            starter.start();
            return;
        }
        starter = new Thread(new BringUp(current, owner, config, state, meters, topics, pauses, election, kafka, ends, checks,
                this::failed, () -> started.fire(new PipelineStarted())), "greenlight-start");
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
            RunningPipeline.join(bringingUp);
        }
        stopComponents();
    }

    /** Under the lock, by the control plane's bring-up. */
    private void controlPlaneStarted(ControlPlane plane) {
        controlPlane = plane;
        if (slotLag == null) { // Connect's source reads the slot: what it retains is shown all the same
            slotLag = new SlotLagPoller(ends.source(), config.source().slot(), meters, this::slotGone);
            slotLag.start(Duration.ofSeconds(2));
        }
    }

    private synchronized void stopComponents() {
        backfill = null;
        if (controlPlane != null) {
            controlPlane.close();
            controlPlane = null;
        }
        if (running != null) {
            running.close();
            running = null;
        }
        if (state.phase() != PipelineState.Phase.FAILED) {
            state.phase(PipelineState.Phase.STOPPED);
        }
    }

    /** What a bring-up hands this lifecycle, under its lock. */
    private final class Owner implements BringUp.Owner {

        @Override
        public boolean ifCurrent(long bringUpGeneration, Runnable step) {
            synchronized (Pipeline.this) {
                if (bringUpGeneration != generation) {
                    return false;
                }
                step.run();
                return true;
            }
        }

        @Override
        public void planned(BringUpPlan planned) {
            plan = planned;
        }

        @Override
        public void copying(Backfill fill) {
            backfill = fill;
        }

        @Override
        public void backfilling(boolean copying) {
            backfilling = copying;
            if (!copying) {
                advancePhase();
            }
        }

        @Override
        public RunningPipeline startParts(Map<TableId, SourceTable> tables, List<TopicPartition> partitions, OffsetStore offsets) {
            startComponents(tables, partitions, offsets);
            return running;
        }

        @Override
        public RunningPipeline running() {
            return running;
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
    @Override
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

    @Override
    public void recopy(TableId table) throws SQLException {
        refuseInControlPlane("copy " + table + " again");
        copies.recopy(table);
    }

    @Override
    public void recopyAll() throws SQLException {
        refuseInControlPlane("copy every table again");
        copies.recopyAll();
    }

    @Override
    public Optional<String> copyPausedTableAgain(TableId table) {
        return copies.copyPausedTableAgain(table);
    }

    private void refuseInControlPlane(String what) {
        if (config.mode() == GreenlightConfig.Mode.CONTROL_PLANE) {
            throw new IllegalStateException("greenlight.mode=control-plane: capture and apply run in Kafka Connect, so Greenlight "
                    + "does not " + what + "; copies there are the Debezium source connector's snapshots "
                    + "(docs/scale-out.md#control-plane).");
        }
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
    @Override
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

    @Override
    public Optional<BackfillProgress> backfillProgress() {
        Backfill b = backfill;
        return b == null ? Optional.empty() : Optional.of(b.progress());
    }

    /** The captured tables as apply writes them now: with the source's DDL followed since the start. */
    @Override
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

    @Override
    public List<TableId> applicationTables() {
        return tables().keySet().stream().filter(t -> !t.schema().equals(HeartbeatWriter.SCHEMA)).toList();
    }

    @Override
    public String writeMarker(String marker) {
        ControlPlane plane = controlPlane;
        if (plane != null) {
            return plane.writeMarker(marker);
        }
        RunningPipeline run = running;
        HeartbeatWriter writer = run == null ? null : run.heartbeat();
        if (writer == null) {
            throw new IllegalStateException("The pipeline is not running");
        }
        return writer.beat(marker);
    }

    @Override
    public Optional<javax.sql.DataSource> sourcePool() {
        return Optional.ofNullable(ends.source());
    }

    @Override
    public Optional<javax.sql.DataSource> targetPool() {
        return Optional.ofNullable(ends.target());
    }

    @Override
    public Optional<Dialect> dialect() {
        return Optional.ofNullable(ends.dialect());
    }

    @Override
    public Optional<PreflightReport> preflight() {
        return Optional.ofNullable(plan).map(BringUpPlan::report);
    }

    @Override
    public boolean captureRunning() {
        ControlPlane plane = controlPlane;
        if (plane != null) {
            return plane.captureRunning();
        }
        RunningPipeline run = running;
        return run != null && run.captureRunning();
    }

    @Override
    public boolean applyRunning() {
        ControlPlane plane = controlPlane;
        if (plane != null) {
            return plane.applyRunning();
        }
        RunningPipeline run = running;
        return run != null && run.applyRunning();
    }

    @Override
    public Optional<String> bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public boolean embeddedBroker() {
        return kafka.embeddedBroker();
    }

    @Override
    public boolean sourceReachable() {
        return ends.sourceReachable();
    }

    @Override
    public boolean targetReachable() {
        return ends.targetReachable();
    }

    @Override
    public boolean kafkaReachable() {
        return kafka.reachable();
    }
}
