package io.greenlight.cutover;

import io.greenlight.apply.ApplyGate;
import io.greenlight.dialect.Dialect;
import io.greenlight.lag.LagTracker;
import io.greenlight.reverse.ReverseStart;
import io.greenlight.reverse.ReverseReplication;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.verify.VerificationResult;
import io.greenlight.verify.Verifier;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Drives one cutover: guardrails → WAITING_FOR_LAG → FENCING → DRAINING → SYNCING_SEQUENCES →
 * VERIFYING → (POSTPONED) → SWITCHING → COMPLETED. Every transition is persisted (source first)
 * and logged. Once the fence is up, one budget bounds the write-blocked window; a failure before
 * the switch lifts the fence; a failure during the switch first reverts every action that ran and
 * lifts the fence only if all were reverted, otherwise the source stays fenced and the record says
 * exactly what to do.
 */
final class CutoverStateMachine implements Runnable {

    private static final Logger LOG = Logger.getLogger(CutoverStateMachine.class);
    private static final long POLL_MS = 100;
    /** While writes are blocked every wasted millisecond is downtime: poll tightly. */
    private static final long FENCED_POLL_MS = 5;

    private final DataPath pipeline;
    private final LagTracker lag;
    private final Dialect dialect;
    private final Verifier verifier;
    private final SwitchActions switchActions;
    private final Guardrails guardrails;
    private final ApplyGate gate;
    private final SourceConnections sourceConnections;
    private final Consumer<CutoverRecord> persist;
    private final Consumer<CutoverRecord> persistQuietly;
    private final ReverseReplication reverse;
    private final StandbyFence standby;

    /** Lifts the read-only fence a rollback left on the target, before it becomes the primary again. */
    interface StandbyFence {
        void lift(Connection target) throws SQLException;
    }
    private volatile CutoverRecord record;
    private volatile boolean abortRequested;
    private volatile boolean postponeReleased;
    private volatile java.util.function.Supplier<io.greenlight.leader.Fence> epoch = () -> io.greenlight.leader.Fence.NONE;

    /**
     * @param persist        saves the record (source journal, then target); throws when it cannot
     * @param persistQuietly saves what it can and logs the rest (after a failure)
     */
    CutoverStateMachine(CutoverRecord record, DataPath pipeline, LagTracker lag, Dialect dialect, Verifier verifier,
                        SwitchActions switchActions, Guardrails guardrails, ApplyGate gate, SourceConnections sourceConnections,
                        Consumer<CutoverRecord> persist, Consumer<CutoverRecord> persistQuietly, ReverseReplication reverse,
                        StandbyFence standby) {
        this.reverse = reverse;
        this.standby = standby;
        this.sourceConnections = sourceConnections;
        this.record = record;
        this.pipeline = pipeline;
        this.lag = lag;
        this.dialect = dialect;
        this.verifier = verifier;
        this.switchActions = switchActions;
        this.guardrails = guardrails;
        this.gate = gate;
        this.persist = persist;
        this.persistQuietly = persistQuietly;
    }

    CutoverRecord record() {
        return record;
    }

    /** The leader's fencing token on the source: the fence goes up and comes down only in a transaction that checks it. */
    void fencedBy(java.util.function.Supplier<io.greenlight.leader.Fence> epoch) {
        this.epoch = epoch;
    }

    /** Honoured only before the fence goes up; returns whether it will be. */
    synchronized boolean requestAbort() {
        if (record.state().fenced() || record.state().terminal()) {
            return false;
        }
        abortRequested = true;
        return true;
    }

    void releasePostpone() {
        postponeReleased = true;
    }

    @Override
    public void run() {
        try {
            if (record.state() == CutoverState.SWITCHING) {
                LOG.warnf("Cutover %s was SWITCHING when Greenlight stopped: running its switch actions again (they are idempotent); "
                        + "the fence stays up", record.id());
                gate.hold("cutover " + record.id() + " is switching");
                switchAndComplete();
                return;
            }
            CutoverOptions options = record.options();
            long deadline = System.nanoTime() + (long) (options.timeoutSeconds() * 1e9);
            String refused = Guardrails.failures(guardrails.run(options, false));
            if (refused != null) {
                transition(CutoverState.FAILED, "a guardrail failed, nothing was fenced: " + refused);
                return;
            }
            if (record.state() == CutoverState.ARMED) { // a resumed cutover is WAITING_FOR_LAG already: that step fired
                transition(CutoverState.WAITING_FOR_LAG, "waiting for lag ≤ " + options.maxLagSeconds() + " s for "
                        + options.stableSeconds() + " s");
            }
            if (!waitForStableLag(options, deadline)) {
                return;
            }
            fenceAndSwitch(options);
        } catch (InterruptedException e) {
            if (record.state() == CutoverState.ARMED || record.state() == CutoverState.WAITING_FOR_LAG) {
                LOG.infof("Cutover %s stays %s: Greenlight is shutting down; the next start waits for lag again",
                        record.id(), record.state());
            } else {
                failSafely("interrupted (Greenlight is shutting down)");
            }
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failSafely(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private boolean waitForStableLag(CutoverOptions options, long deadline) throws InterruptedException {
        long stableSince = -1;
        while (true) {
            boolean stable = false;
            synchronized (this) {
                if (abortRequested) {
                    transition(CutoverState.ABORTED, "aborted by DELETE /cutover before the fence");
                    return false;
                }
                double current = lag.endToEndSeconds();
                long now = System.nanoTime();
                if (current <= options.maxLagSeconds()) {
                    if (stableSince < 0) {
                        stableSince = now;
                    }
                    stable = (now - stableSince) / 1e9 >= options.stableSeconds();
                } else {
                    stableSince = -1;
                }
                if (!stable && now > deadline) {
                    transition(CutoverState.FAILED, "lag stayed above " + options.maxLagSeconds() + " s (now " + current
                            + " s) until timeoutSeconds " + options.timeoutSeconds() + " ran out; nothing was fenced");
                    return false;
                }
                if (stable) {
                    // The quick source-side guardrails once more: things changed while lag came down.
                    String refused = Guardrails.failures(List.of(guardrails.pausedTables(), guardrails.sourceTransactions(options.fence())));
                    if (refused != null) {
                        transition(CutoverState.FAILED, "a guardrail failed, nothing was fenced: " + refused);
                        return false;
                    }
                    // Still under the monitor: an abort cannot slip in between here and the fence.
                    transition(CutoverState.FENCING, "lag " + current + " s stayed ≤ " + options.maxLagSeconds()
                            + " s for " + options.stableSeconds() + " s");
                    return true;
                }
            }
            Thread.sleep(POLL_MS);
        }
    }

    private void fenceAndSwitch(CutoverOptions options) throws Exception {
        DataSource source = pipeline.sourcePool().orElseThrow(() -> new IllegalStateException("the pipeline is not running"));
        DataSource target = pipeline.targetPool().orElseThrow(() -> new IllegalStateException("the pipeline is not running"));
        List<TableId> appTables = pipeline.applicationTables();
        WriteBlockBudget budget;
        try (Connection c = source.getConnection()) {
            SourceFence fence = new SourceFence(c, epoch.get());
            // Persisted (on the source first) before the fence goes up: whoever finds it can lift it.
            record = record.fenced(fence.plan(options.fence(), appTables));
            persist.accept(record);
            budget = WriteBlockBudget.startingNow(options.maxWriteBlockedSeconds());
            List<Integer> ended = fence.apply(options.fence(), appTables);
            LOG.infof("Cutover %s: fence %s up, %d session(s) ended", record.id(), options.fence().mode(), ended.size());
            // pg_terminate_backend only signals: a session rolls back and exits a moment later.
            for (int left = fence.stillRunning(ended); left > 0; left = fence.stillRunning(ended)) {
                budget.check(CutoverState.FENCING, "waiting for " + left + " ended session(s) to exit");
                Thread.sleep(FENCED_POLL_MS);
            }
            List<String> leaks = fence.leaks(options.fence(), appTables);
            if (!leaks.isEmpty()) {
                throw new IllegalStateException("the " + options.fence().mode() + " fence does not stop every write, so the drain "
                        + "could miss some; the marker was not written: " + String.join("; ", leaks));
            }
        }

        Collection<SourceTable> tables = appTables.stream().map(pipeline.tables()::get).toList();
        // The fenced source is final, so sequences can be read and the target's counters raised
        // while the drain is still applying: this keeps the sync out of the write-blocked window.
        FutureTask<List<String>> sequences = new FutureTask<>(() -> syncSequences(source, target, tables));
        Thread sequenceThread = new Thread(sequences, "greenlight-cutover-sequences");
        sequenceThread.setDaemon(true);
        sequenceThread.start();

        String fenceLsn = pipeline.writeMarker(record.id());
        transition(CutoverState.DRAINING, "marker written at source LSN " + fenceLsn);
        Map<TopicPartition, Long> drainTarget = awaitMarker(budget);
        Map<String, Long> readable = new TreeMap<>();
        drainTarget.forEach((tp, offset) -> readable.put(tp.toString(), offset));
        record = record.drained(fenceLsn, readable);
        persist.accept(record);
        while (!lag.appliedThrough(drainTarget)) {
            budget.check(CutoverState.DRAINING, "draining to the marker");
            Thread.sleep(FENCED_POLL_MS);
        }

        transition(CutoverState.SYNCING_SEQUENCES, "every change up to the marker is applied");
        record = record.withSequences(within(sequences, budget, CutoverState.SYNCING_SEQUENCES, "syncing sequences"));

        if (options.verify()) {
            transition(CutoverState.VERIFYING, record.sequences().size() + " sequence(s) synced");
            FutureTask<VerificationResult> verification = new FutureTask<>(() -> verifier.verify(source, target, tables));
            Thread verifyThread = new Thread(verification, "greenlight-cutover-verify");
            verifyThread.setDaemon(true);
            verifyThread.start();
            VerificationResult result = within(verification, budget, CutoverState.VERIFYING,
                    "verifying " + tables.size() + " table(s) (verify before the cutover: POST /verify)");
            record = record.withVerification(result.summary());
            if (!result.matches()) {
                throw new IllegalStateException("verification found differences: " + result.summary());
            }
        }
        if (options.postpone()) {
            transition(CutoverState.POSTPONED, "holding before the switch until DELETE /cutover/postpone");
            long postponeDeadline = System.nanoTime() + (long) (options.postponeTimeoutSeconds() * 1e9);
            while (!postponeReleased) {
                budget.check(CutoverState.POSTPONED, "postponed (DELETE /cutover/postpone was not sent)");
                if (System.nanoTime() > postponeDeadline) {
                    throw new IllegalStateException("postpone was not released within " + options.postponeTimeoutSeconds() + " s");
                }
                Thread.sleep(POLL_MS);
            }
        }
        gate.hold("cutover " + record.id() + " is switching");
        String reverseFrom = "";
        if (!options.giveUpRollback()) {
            // Both sides fenced, forward drained: where the new primary's changes end now is where reverse replication starts.
            try (Connection c = sourceConnections.open()) {
                ReverseStart start = reverse.recordStart(c, target, pipeline.applicationTables(), record.id(),
                        java.time.Duration.ofNanos(budget.remainingNanos()));
                reverseFrom = "; reverse replication starts at the target's " + start;
            }
            budget.check(CutoverState.SWITCHING, "recording the reverse replication's start");
        }
        try (Connection t = target.getConnection()) {
            t.setAutoCommit(true);
            standby.lift(t);
        }
        transition(CutoverState.SWITCHING, "running switch actions" + reverseFrom);
        switchAndComplete();
    }

    /** Runs (or runs again) every switch action, each persisted before and after, then COMPLETED. */
    private void switchAndComplete() throws Exception {
        List<String> done = switchActions.run(record.options().actions(), record, run -> {
            record = record.withRun(run);
            persist.accept(record);
        });
        done.forEach(line -> LOG.infof("Cutover %s switched %s", record.id(), line));
        record = record.switched(done);
        transition(CutoverState.COMPLETED, String.format("writes were blocked for %.3f s; the source stays fenced", record.writeBlockedSeconds()));
        gate.close("cutover " + record.id() + " COMPLETED: the target is the primary");
    }

    private List<String> syncSequences(DataSource source, DataSource target, Collection<SourceTable> tables)
            throws SQLException {
        try (Connection s = source.getConnection(); Connection t = target.getConnection()) {
            return new SequenceSync(s, t, dialect).sync(tables);
        }
    }

    private static <T> T within(FutureTask<T> task, WriteBlockBudget budget, CutoverState state, String what) throws Exception {
        try {
            return task.get(budget.remainingNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw budget.expired(state, what);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Map<TopicPartition, Long> awaitMarker(WriteBlockBudget budget) throws InterruptedException {
        while (true) {
            Optional<Map<TopicPartition, Long>> target = lag.drainTarget(record.id());
            if (target.isPresent()) {
                return target.get();
            }
            budget.check(CutoverState.DRAINING, "waiting for capture to pass the marker");
            Thread.sleep(FENCED_POLL_MS);
        }
    }

    /**
     * Ends FAILED without ever splitting the application: every switch action that may have taken
     * effect is reverted first (latest first); the fence is lifted only if all were.
     */
    private void failSafely(String reason) {
        StringBuilder outcome = new StringBuilder(reason);
        List<String> stuck = revertSwitch();
        if (!stuck.isEmpty()) {
            // Held, not closed: nothing is consumed (or lost) until an operator decides which side is the primary.
            gate.hold("cutover " + record.id() + " could not revert its switch: the application may write to the target");
            outcome.append("; THE SOURCE STAYS FENCED because switch actions that took effect could not be reverted: ")
                    .append(String.join("; ", stuck)).append(". Revert them, then lift the fence on the source: ")
                    .append(String.join("; ", record.fenceUndo()))
                    .append(" (or, to keep the target as the primary, leave the fence and stop Greenlight's apply)");
        } else {
            outcome.append(liftFence());
            gate.open();
            if (!record.options().giveUpRollback()) {
                pipeline.targetPool().ifPresent(reverse::discardStart); // a reverse start recorded before the switch is not read
            }
        }
        LOG.errorf("Cutover %s FAILED in %s: %s", record.id(), record.state(), outcome);
        record = record.to(CutoverState.FAILED, outcome.toString());
        persistQuietly.accept(record);
    }

    /** Reverts what ran; returns, for each action that could not be reverted, what to do by hand. */
    private List<String> revertSwitch() {
        List<SwitchRun> ran = new ArrayList<>(record.unreverted());
        java.util.Collections.reverse(ran);
        List<String> stuck = new ArrayList<>();
        for (SwitchRun run : ran) {
            try {
                SwitchRun reverted = switchActions.revert(run, record.options().actions(), record);
                record = record.withRun(reverted);
                LOG.warnf("Cutover %s reverted %s: %s", record.id(), run.action(), reverted.note());
                persistQuietly.accept(record);
            } catch (Exception e) {
                stuck.add(run.action() + " (" + e.getMessage() + "): " + SwitchActions.manualRevert(run, record.options().actions()));
            }
        }
        return stuck;
    }

    /** Lifts the fence if it may be up; the text is appended to the failure reason. */
    private String liftFence() {
        if (!record.fenceUp()) {
            return "; no fence to lift, the source keeps serving";
        }
        Optional<String> failure = lift(record, sourceConnections, epoch.get());
        if (failure.isEmpty()) {
            record = record.lifted();
            return "; the fence was lifted, the source keeps serving";
        }
        return "; LIFTING THE FENCE FAILED (" + failure.get() + "): run on the source: " + String.join("; ", record.fenceUndo())
                + "; then POST /cutover again";
    }

    /** Runs the persisted undo statements; empty when they ran, else why not. */
    static Optional<String> lift(CutoverRecord record, SourceConnections source, io.greenlight.leader.Fence epoch) {
        try (Connection c = source.open()) {
            new SourceFence(c, epoch).lift(record.fenceUndo());
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Persisted before it becomes the record: a failure to persist leaves the record where the journal says it is. */
    private void transition(CutoverState next, String note) {
        CutoverRecord moved = record.to(next, note);
        LOG.infof("Cutover %s → %s: %s", moved.id(), next, note);
        persist.accept(moved);
        record = moved;
    }
}
