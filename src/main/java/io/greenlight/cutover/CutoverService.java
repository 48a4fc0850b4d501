package io.greenlight.cutover;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.greenlight.PipelineStarted;
import io.greenlight.apply.ApplyGate;
import io.greenlight.apply.TablePauses;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.leader.LeaderElection;
import io.greenlight.lag.LagTracker;
import io.greenlight.reverse.ReverseReplication;
import io.greenlight.verify.Verifier;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Owns the cutovers: recovers a fence left up by a crash first thing at start (from the source
 * alone), starts a cutover (once), persists it on both sides, resumes it after a restart, and
 * exposes its state as metrics.
 */
@Startup
@ApplicationScoped
public class CutoverService {

    private static final Logger LOG = Logger.getLogger(CutoverService.class);
    /** Before the pipeline's own start observer (default priority 2500): recovery comes first. */
    private static final int FIRST = 100;

    private final DataPath pipeline;
    private final LagTracker lag;
    private final Verifier verifier;
    private final ObjectMapper json;
    private final Instance<KubernetesClient> kubernetes;
    private final GreenlightConfig config;
    private final ApplyGate gate;
    private final TablePauses pauses;
    private final SourceJournal journal;
    private final JournalView journalView;
    private final ReverseReplication reverse;
    private final CountDownLatch recovered = new CountDownLatch(1);
    private volatile CutoverStore store;
    private volatile String historyUnreadable;
    private volatile CutoverStateMachine running;
    private volatile RollbackRun rollingBack;
    private volatile CutoverRecord last;
    private volatile Thread thread;
    private volatile Thread recovery;
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();
    private final LeaderElection election;

    public CutoverService(DataPath pipeline, LagTracker lag, Verifier verifier, ObjectMapper json,
                          Instance<KubernetesClient> kubernetes, GreenlightConfig config, MeterRegistry registry,
                          ApplyGate gate, TablePauses pauses, ReverseReplication reverse, LeaderElection election) {
        this.election = election;
        this.reverse = reverse;
        this.pipeline = pipeline;
        this.lag = lag;
        this.verifier = verifier;
        this.json = json;
        this.kubernetes = kubernetes;
        this.config = config;
        this.registry = registry;
        this.gate = gate;
        this.pauses = pauses;
        this.journal = new SourceJournal(json, election::sourceFence);
        this.journalView = new JournalView(journal, this::sourceConnection, Duration.ofSeconds(1));
        for (CutoverState state : CutoverState.values()) {
            gauges.add(Gauge.builder("greenlight.cutover.state", this, s -> s.current().map(r -> r.state() == state ? 1 : 0).orElse(0))
                    .tag("state", state.name()).description("1 for the state the cutover is in").register(registry));
        }
        for (Direction direction : Direction.values()) {
            gauges.add(Gauge.builder("greenlight.replication.direction", this, s -> s.direction() == direction ? 1 : 0)
                    .tag("direction", direction.name())
                    .description("1 for the way data flows: FORWARD (source to target), REVERSE (new primary to old source), NONE")
                    .register(registry));
        }
        gauges.add(Gauge.builder("greenlight.cutover.write.blocked.seconds", this,
                        s -> s.current().map(CutoverRecord::writeBlockedSecondsNow).orElse(0.0))
                .description("Seconds source writes were (or are being) blocked: fence to switch").register(registry));
        gauges.add(Gauge.builder("greenlight.cutover.fence.up", this,
                        s -> s.current().map(r -> r.fenceUp() && r.state() != CutoverState.COMPLETED && r.state() != CutoverState.FINISHED ? 1 : 0).orElse(0))
                .description("1 while a cutover that did not complete may hold the source's fence up (see GET /cutover)")
                .register(registry));
    }

    /** Gauges read this instance: remove them with it (a registry can outlive the application in tests). */
    @PreDestroy
    void removeGauges() {
        gauges.forEach(registry::remove);
    }

    /**
     * The first thing a start does, before and independent of the pipeline's bring-up: read the
     * cutover journal on the source and lift a fence a crash left up (or keep it, and finish the
     * switch, when one may have taken effect). Retries in the background while the source is down.
     */
    void onStart(@Observes @Priority(FIRST) StartupEvent event) {
        election.whenLeader(() -> { // a standby neither lifts nor resumes what the leader runs
            recovery = new Thread(this::recoverUntilDone, "greenlight-cutover-recovery");
            recovery.setDaemon(true);
            recovery.start();
        });
    }

    private void recoverUntilDone() {
        boolean warned = false;
        while (!Thread.currentThread().isInterrupted()) {
            try (Connection c = directSourceConnection()) {
                CutoverRecord latest = new FenceRecovery(journal, gate, election.sourceFence()).recover(journal.load(c), c, this::launch);
                if (latest != null) {
                    last = latest;
                }
                recovered.countDown();
                return;
            } catch (SQLException e) {
                if (!warned) {
                    LOG.warnf("Cannot read the cutover journal on the source (%s): a fence a crash left up stays up until it can. "
                            + "Retrying every 2 s.", e.getMessage());
                    warned = true;
                }
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** After the pipeline is up: read the history on the target, merge it with the source's journal, resume a waiting cutover. */
    void onPipelineStarted(@Observes PipelineStarted event) {
        try {
            if (!recovered.await(120, TimeUnit.SECONDS)) {
                LOG.error("The cutover journal on the source could not be read within 120 s of the pipeline start");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        CutoverStateMachine machine = running;
        if (machine != null && !machine.record().state().terminal()) {
            return; // the pipeline restarted in-process; the cutover thread carries on
        }
        try {
            javax.sql.DataSource targetPool = pipeline.targetPool().orElseThrow();
            Dialect targetDialect = dialect();
            CutoverStore s = new CutoverStore(targetPool, targetDialect, json, () -> election.targetFence(targetPool, targetDialect));
            s.createTable();
            List<CutoverRecord> history = merge(s.loadAll(), journaledNow(), s);
            historyUnreadable = null;
            store = s;
            if (!history.isEmpty()) {
                CutoverRecord latest = history.get(history.size() - 1);
                last = latest;
                if (latest.state() == CutoverState.COMPLETED) {
                    startReverse(latest);
                }
                if (latest.state() == CutoverState.ARMED || latest.state() == CutoverState.WAITING_FOR_LAG) {
                    LOG.infof("Cutover %s was %s when Greenlight stopped; waiting for lag again", latest.id(), latest.state());
                    launch(latest);
                }
            }
        } catch (SQLException e) {
            store = null;
            historyUnreadable = e.getMessage();
            LOG.errorf("Cannot read the cutover history from the target: %s. POST /cutover answers 503 until it can: "
                    + "a cutover fires once, and Greenlight cannot tell whether one already did.", e.getMessage());
        }
    }

    private List<CutoverRecord> journaledNow() throws SQLException {
        try (Connection c = sourceConnection()) {
            return journal.load(c);
        }
    }

    /** Per id the version that got further (the source's when equal), written back to the target where it lags; oldest first. */
    private List<CutoverRecord> merge(List<CutoverRecord> target, List<CutoverRecord> source, CutoverStore s) {
        Map<String, CutoverRecord> byId = new LinkedHashMap<>();
        target.forEach(r -> byId.merge(r.id(), r, CutoverService::further));
        for (CutoverRecord r : source) {
            CutoverRecord onTarget = byId.get(r.id());
            CutoverRecord winner = onTarget == null ? r : further(onTarget, r);
            if (winner != onTarget) {
                try {
                    s.save(winner);
                } catch (SQLException e) {
                    LOG.warnf("Cannot copy cutover %s's record from the source to the target: %s", r.id(), e.getMessage());
                }
            }
            byId.put(r.id(), winner);
        }
        List<CutoverRecord> all = new ArrayList<>(byId.values());
        all.sort(java.util.Comparator.comparing(r -> r.transitions().isEmpty() ? java.time.Instant.EPOCH : r.transitions().get(0).at()));
        return all;
    }

    static CutoverRecord further(CutoverRecord a, CutoverRecord b) {
        if (a.transitions().size() != b.transitions().size()) {
            return a.transitions().size() > b.transitions().size() ? a : b;
        }
        return b;
    }

    /**
     * SIGTERM: a cutover that is switching finishes (or reverts) its switch first; one that holds
     * the fence before the switch fails and lifts it. Before the pipeline closes its pools.
     */
    void onStop(@Observes @Priority(FIRST) ShutdownEvent event) {
        Thread r = recovery;
        if (r != null) {
            r.interrupt();
        }
        Thread t = thread;
        CutoverStateMachine machine = running;
        if (t == null || machine == null) {
            return;
        }
        if (machine.record().state() != CutoverState.SWITCHING) {
            t.interrupt();
        } else {
            LOG.warnf("Shutting down while cutover %s is SWITCHING: letting the switch finish or revert first", machine.record().id());
        }
        try {
            t.join(Duration.ofSeconds(45).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Which way data flows now, from the current cutover's state. */
    public Direction direction() {
        return Direction.of(current().orElse(null));
    }

    public Optional<CutoverRecord> current() {
        CutoverStateMachine machine = running;
        return machine != null ? Optional.of(machine.record()) : Optional.ofNullable(last);
    }

    /**
     * What GET /cutover and /status show: on the leader the cutover it runs ({@link #current}); a
     * standby runs none and shows the latest one the leader persisted in the source's journal
     * (an instance still starting, or refused, has not reached the source: it shows its own, none).
     */
    public Optional<CutoverRecord> shown() {
        return election.view().role() == LeaderElection.Role.STANDBY ? journalView.latest() : current();
    }

    /** Why forward apply does not write right now (cutover switching or completed), or empty. */
    public Optional<String> applyGate() {
        return Optional.ofNullable(gate.reason());
    }

    public List<ApplyGate.Unapplied> unapplied() {
        return gate.unappliedChanges();
    }

    /** The result of {@code "dryRun": true}: every guardrail, nothing changed. */
    public record DryRun(boolean wouldStart, List<Guardrails.Check> checks, CutoverOptions options) {
    }

    /** Runs every guardrail for these options and reports; changes nothing. */
    public DryRun dryRun(CutoverOptions requested) throws InterruptedException {
        if (store == null) {
            throw notReady();
        }
        CutoverOptions options = requested.withDefaults(config.cutover().maxLagSeconds());
        List<Guardrails.Check> checks = new ArrayList<>();
        Optional<CutoverRecord> existing = current();
        CutoverVerbs.refuseStart(existing.orElse(null)).ifPresent(refused -> checks.add(
                new Guardrails.Check("firesOnce", false, "cutover " + existing.get().id() + " is " + existing.get().state() + ": " + refused)));
        checks.addAll(guardrails().run(options, true));
        checks.add(rollbackPath(options));
        return new DryRun(checks.stream().allMatch(Guardrails.Check::passed), checks, options.redacted());
    }

    /** Arms a cutover; 409 (CutoverConflictException) while one is active, after one completed, or while a failed one's fence is up. */
    public synchronized CutoverRecord start(CutoverOptions requested) {
        if (store == null) {
            throw notReady();
        }
        Optional<CutoverRecord> existing = current();
        CutoverVerbs.refuseStart(existing.orElse(null)).ifPresent(refused -> {
            throw new CutoverConflictException(refused, existing.get().redacted());
        });
        existing.filter(r -> r.state() == CutoverState.FAILED && r.fenceUp()).ifPresent(this::refuseWhileFenced);
        CutoverOptions options = requested.withDefaults(config.cutover().maxLagSeconds());
        Guardrails.Check rollback = rollbackPath(options);
        if (!rollback.passed()) {
            throw new CutoverConflictException("The rollback path is not ready; nothing was armed or fenced. " + rollback.detail(),
                    existing.map(CutoverRecord::redacted).orElse(null));
        }
        if (options.giveUpRollback()) {
            LOG.warnf("Cutover armed with \"giveUpRollback\": true: the old source is not kept in sync after the switch, "
                    + "and a rollback would lose the writes made on the target");
        }
        CutoverRecord record = CutoverRecord.armed(UUID.randomUUID().toString(), options);
        try (Connection c = sourceConnection()) {
            journal.createTable(c);
            journal.save(c, record);
            store.save(record);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot persist the cutover record (" + e.getMessage() + "); nothing was armed", e);
        }
        LOG.infof("Cutover %s ARMED with %s", record.id(), record.options().redacted());
        launch(record);
        return record;
    }

    /**
     * Whether reverse replication can keep the old source in sync after the switch (checked before
     * anything is fenced), or the request gave the rollback path up.
     */
    private Guardrails.Check rollbackPath(CutoverOptions options) {
        if (options.giveUpRollback()) {
            return new Guardrails.Check("rollbackPath", true, "given up by the request (\"giveUpRollback\": true): "
                    + "the old source is not kept in sync after the switch");
        }
        if (config.mode() == GreenlightConfig.Mode.CONTROL_PLANE) {
            // Connect's sink would apply reverse replication's writes to the old source back to the target: no rollback there.
            return new Guardrails.Check("rollbackPath", false, "greenlight.mode=control-plane: the forward pipeline runs in Kafka "
                    + "Connect, where nothing keeps the sink from applying reverse replication's writes back to the target, so "
                    + "there is no rollback path. Send \"giveUpRollback\": true to cut over without one.");
        }
        Dialect d = pipeline.dialect().orElse(null);
        Optional<javax.sql.DataSource> target = pipeline.targetPool();
        if (d == null || target.isEmpty()) {
            return new Guardrails.Check("rollbackPath", false, "the pipeline has not reached the target yet");
        }
        List<String> problems = reverse.readiness(target.get(), pipeline.applicationTables());
        return problems.isEmpty()
                ? new Guardrails.Check("rollbackPath", true, "reverse replication can keep the old source in sync with the target ("
                        + d.name() + ") after the switch")
                : new Guardrails.Check("rollbackPath", false, String.join(" ", problems));
    }

    /** After a switch: reverse replication from the position recorded before it (if one was). */
    private void startReverse(CutoverRecord completed) {
        if (completed.options().giveUpRollback()) {
            return;
        }
        try {
            if (!reverse.start(pipeline.sourcePool().orElseThrow(), pipeline.targetPool().orElseThrow(), pipeline.tables())) {
                LOG.warnf("Cutover %s COMPLETED but no reverse position is recorded on the source: the old source is not kept in sync",
                        completed.id());
            }
        } catch (Exception e) {
            LOG.errorf(e, "Reverse replication after cutover %s could not start: %s. The old source falls behind the new primary "
                    + "until it does; restart Greenlight once the cause is fixed.", completed.id(), e.getMessage());
        }
    }

    /** A failed cutover whose fence is still up blocks a new one, unless an operator lifted it by hand since. */
    private void refuseWhileFenced(CutoverRecord failed) {
        boolean up;
        try (Connection c = sourceConnection()) {
            // The steps say: revert the switch, then lift the fence. A fence lifted by hand means both were done.
            up = new SourceFence(c).stillUp(failed.options().fence(), pipeline.applicationTables());
            if (!up) {
                CutoverRecord lifted = failed.lifted();
                journal.save(c, lifted);
                saveToTarget(lifted);
                last = lifted;
                gate.open();
                LOG.infof("Cutover %s's fence was lifted by hand; forward apply goes on and a new cutover may start", failed.id());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot check on the source whether cutover " + failed.id() + "'s fence is still up: "
                    + e.getMessage(), e);
        }
        if (up) {
            List<String> steps = new ArrayList<>();
            failed.unreverted().forEach(run -> steps.add(SwitchActions.manualRevert(run, failed.options().actions())));
            steps.add("run on the source: " + String.join("; ", failed.fenceUndo()));
            throw new CutoverConflictException("Cutover " + failed.id() + " FAILED and its fence is still up on the source. "
                    + "Before a new cutover: " + String.join("; then ", steps) + "; then POST /cutover again.", failed.redacted());
        }
    }

    /** DELETE /cutover: only before the fence. */
    public synchronized CutoverRecord abort() {
        CutoverStateMachine machine = running;
        CutoverRecord record = current().orElse(null);
        Optional<String> refused = CutoverVerbs.refuseAbort(record);
        if (refused.isEmpty() && (machine == null || !machine.requestAbort())) { // it moved on meanwhile, or waits to be resumed
            CutoverRecord now = machine == null ? record : machine.record();
            refused = Optional.of(CutoverVerbs.refuseAbort(now).orElse("Cutover " + now.id() + " is " + now.state()
                    + " but does not run yet (Greenlight is starting): DELETE /cutover again once GET /status shows the pipeline running."));
        }
        if (refused.isPresent()) {
            throw new CutoverConflictException(refused.get(), record == null ? null : record.redacted());
        }
        awaitTerminal(machine);
        return machine.record();
    }

    /** DELETE /cutover/postpone: let a postponed cutover switch. */
    public CutoverRecord releasePostpone() {
        CutoverStateMachine machine = running;
        if (machine == null || machine.record().state().terminal()) {
            throw new CutoverConflictException("There is no cutover in progress.", current().map(CutoverRecord::redacted).orElse(null));
        }
        machine.releasePostpone();
        return machine.record();
    }

    private IllegalStateException notReady() {
        String unreadable = historyUnreadable;
        if (unreadable != null) {
            return new IllegalStateException("The cutover history in the target's greenlight_cutover table cannot be read ("
                    + unreadable + "). A cutover fires once, so none is armed until it can be: repair or delete the "
                    + "unreadable row, then restart Greenlight.");
        }
        return new IllegalStateException("The pipeline is not running yet; a cutover needs it (see GET /status).");
    }

    private void launch(CutoverRecord record) {
        if (record.state() == CutoverState.ROLLING_BACK) {
            launchRollback(record);
            return;
        }
        SwitchActions actions = new SwitchActions(json, kubernetes::get);
        CutoverStateMachine machine = new CutoverStateMachine(record, pipeline, lag, pipeline.dialect().orElse(null), verifier,
                actions, new Guardrails(pipeline, lag, pauses, actions), gate, this::sourceConnection, this::save, this::saveQuietly,
                reverse, this::liftStandbyFence);
        machine.fencedBy(election::sourceFence);
        running = machine;
        Thread t = new Thread(() -> {
            machine.run();
            last = machine.record();
            if (last.state() == CutoverState.COMPLETED) {
                startReverse(last);
            }
        }, "greenlight-cutover");
        thread = t;
        t.start();
    }

    /**
     * POST /rollback: runs a COMPLETED cutover's switch backwards ({@link RollbackRun}); also finishes
     * a rollback that stopped half way. 409 in any other state.
     */
    public synchronized CutoverRecord rollback() {
        if (store == null) {
            throw notReady();
        }
        CutoverRecord record = current().orElse(null);
        Thread t = thread;
        boolean runningNow = rollingBack != null && t != null && t.isAlive();
        CutoverVerbs.refuseRollback(record, runningNow).ifPresent(refused -> {
            throw new CutoverConflictException(refused, record == null ? null : record.redacted());
        });
        launchRollback(record);
        return record;
    }

    private void launchRollback(CutoverRecord record) {
        RollbackRun run = new RollbackRun(record, pipeline, reverse, new SwitchActions(json, kubernetes::get), gate,
                this::sourceConnection, r -> {
                    last = r;
                    save(r);
                }, r -> {
                    last = r;
                    saveQuietly(r);
                }, config.target().username().orElse(""));
        run.fencedBy(election::sourceFence);
        running = null;
        rollingBack = run;
        last = record;
        Thread t = new Thread(() -> {
            run.run();
            last = run.record();
        }, "greenlight-rollback");
        thread = t;
        t.start();
    }

    /**
     * POST /complete: ends the migration after a COMPLETED cutover. Stops reverse replication and
     * removes Greenlight's objects from both sides: the reverse bookkeeping and the slot, publication
     * and heartbeat table on the source, the reverse heartbeat table on the target. The source stays
     * fenced (GET /cutover shows how to lift it).
     */
    public synchronized CutoverRecord complete() throws SQLException, InterruptedException {
        if (store == null) {
            throw notReady();
        }
        CutoverRecord record = current().orElse(null);
        CutoverVerbs.refuseComplete(record).ifPresent(refused -> {
            throw new CutoverConflictException(refused, record == null ? null : record.redacted());
        });
        reverse.stop();
        List<String> removed = new ArrayList<>();
        try (Connection c = sourceConnection()) {
            io.greenlight.reverse.ReverseOffsets.remove(c);
            removed.add("table greenlight.greenlight_reverse (source)");
        }
        pipeline.targetPool().ifPresent(target -> {
            try {
                removed.addAll(reverse.removeFromPrimary(target));
            } catch (SQLException e) {
                LOG.warnf("Cannot remove reverse replication's objects from the target (%s): remove them by hand", e.getMessage());
                removed.add("NOT the reverse objects on the target (" + e.getMessage() + ")");
            }
        });
        gate.close("cutover " + record.id() + " FINISHED: the migration is over");
        CutoverRecord finished = record.to(CutoverState.FINISHED, "POST /complete: reverse replication stopped; removed "
                + String.join(", ", removed) + "; the source's slot, publication, heartbeat and leader lease are removed next "
                + "(POST /source/cleanup repeats it); the source stays fenced: " + String.join("; ", record.fenceUndo()) + " lifts it");
        // Recorded while this instance still holds the lease: the source cleanup removes the lease row its epoch check reads.
        save(finished);
        last = finished;
        running = null;
        rollingBack = null;
        LOG.infof("Cutover %s FINISHED: %s", finished.id(), finished.transitions().get(finished.transitions().size() - 1).note());
        try {
            io.greenlight.capture.SourceCleanup.Result cleaned = pipeline.cleanupSource();
            LOG.infof("Cutover %s FINISHED: the source's Greenlight objects are removed: %s%s", finished.id(),
                    String.join(", ", cleaned.dropped()), cleaned.kept().isEmpty() ? "" : "; kept " + String.join("; ", cleaned.kept()));
        } catch (SQLException | RuntimeException e) {
            throw new IllegalStateException("The migration is FINISHED, but removing Greenlight's objects from the source failed: "
                    + e.getMessage() + ". POST /source/cleanup removes them once the cause is fixed.", e);
        }
        return finished;
    }

    /**
     * Before a new switch: the previous rollback left the target read-only as the standby; it is
     * about to be the primary again. Lifts that fence and records it on the rolled-back cutover.
     */
    private void liftStandbyFence(Connection target) throws SQLException {
        CutoverStore s = store;
        if (s == null) {
            return;
        }
        for (CutoverRecord earlier : s.loadAll()) {
            CutoverRecord.Rollback rollback = earlier.rollback();
            if (earlier.state() == CutoverState.ROLLED_BACK && rollback != null && rollback.primaryFenceUp()) {
                new io.greenlight.reverse.PrimaryFence(target).lift(rollback.primaryFenceUndo());
                CutoverRecord lifted = earlier.withRollback(new CutoverRecord.Rollback(rollback.primaryFenceUndo(), false,
                        rollback.fencedAt(), rollback.writeBlockedSeconds(), rollback.marker(), rollback.sequences()));
                save(lifted);
                LOG.infof("The target's standby fence of rolled-back cutover %s is lifted: it becomes the primary again", earlier.id());
            }
        }
    }

    private Guardrails guardrails() {
        SwitchActions actions = new SwitchActions(json, kubernetes::get);
        return new Guardrails(pipeline, lag, pauses, actions);
    }

    /** Source journal first (it must succeed: it is what recovers the fence), then the target's history. */
    private void save(CutoverRecord record) {
        try (Connection c = sourceConnection()) {
            journal.save(c, record);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot persist the cutover record to the source: " + e.getMessage(), e);
        }
        saveToTarget(record);
    }

    private void saveQuietly(CutoverRecord record) {
        try (Connection c = sourceConnection()) {
            journal.save(c, record);
        } catch (SQLException | RuntimeException e) {
            LOG.errorf("Cannot persist cutover %s's %s record to the source: %s", record.id(), record.state(), e.getMessage());
        }
        saveToTarget(record);
    }

    /** The target keeps the history; while it is down the source's journal carries the state, copied over at the next start. */
    private void saveToTarget(CutoverRecord record) {
        CutoverStore s = store;
        if (s == null) {
            return;
        }
        try {
            s.save(record);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Cannot persist cutover %s's %s record to the target (%s); the source's journal has it", record.id(),
                    record.state(), e.getMessage());
        }
    }

    /** The pipeline's pool when it is up, else a connection of its own (recovery runs before the pool exists). */
    private Connection sourceConnection() throws SQLException {
        Optional<javax.sql.DataSource> pool = pipeline.sourcePool();
        Connection c = pool.isPresent() ? pool.get().getConnection() : directSourceConnection();
        c.setAutoCommit(true);
        return c;
    }

    private Connection directSourceConnection() throws SQLException {
        GreenlightConfig.Source src = config.source();
        Properties props = new Properties();
        props.setProperty("user", src.username().orElse(""));
        src.password().ifPresent(pw -> props.setProperty("password", pw));
        props.setProperty("ApplicationName", "greenlight-cutover");
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "10");
        Connection c = new org.postgresql.Driver().connect(src.url().orElseThrow(
                () -> new SQLException("greenlight.source.url is not set")), props);
        if (c == null) {
            throw new SQLException("greenlight.source.url is not a PostgreSQL JDBC URL");
        }
        SourceJournal.writable(c);
        return c;
    }

    private Dialect dialect() {
        return pipeline.dialect().orElseThrow(() -> new IllegalStateException("The pipeline has not reached the target yet"));
    }

    private static void awaitTerminal(CutoverStateMachine machine) {
        for (int i = 0; i < 600 && !machine.record().state().terminal(); i++) { // up to 30 s: the guardrails may still run
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
