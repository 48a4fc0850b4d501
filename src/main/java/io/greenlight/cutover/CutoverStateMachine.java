package io.greenlight.cutover;

import io.greenlight.Pipeline;
import io.greenlight.dialect.Dialect;
import io.greenlight.lag.LagTracker;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.verify.VerificationResult;
import io.greenlight.verify.Verifier;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
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
 * Drives one cutover: WAITING_FOR_LAG → FENCING → DRAINING → SYNCING_SEQUENCES → VERIFYING →
 * (POSTPONED) → SWITCHING → COMPLETED. Every transition is persisted and logged. Once the fence
 * is up, any failure lifts it and ends FAILED: the source keeps serving and nothing is lost.
 */
final class CutoverStateMachine implements Runnable {

    private static final Logger LOG = Logger.getLogger(CutoverStateMachine.class);
    private static final long POLL_MS = 100;
    /** While writes are blocked every wasted millisecond is downtime: poll tightly. */
    private static final long FENCED_POLL_MS = 5;

    private final Pipeline pipeline;
    private final LagTracker lag;
    private final Dialect dialect;
    private final Verifier verifier;
    private final SwitchActions switchActions;
    private final Consumer<CutoverRecord> persist;
    private volatile CutoverRecord record;
    private volatile boolean abortRequested;
    private volatile boolean postponeReleased;

    CutoverStateMachine(CutoverRecord record, Pipeline pipeline, LagTracker lag, Dialect dialect, Verifier verifier,
                        SwitchActions switchActions, Consumer<CutoverRecord> persist) {
        this.record = record;
        this.pipeline = pipeline;
        this.lag = lag;
        this.dialect = dialect;
        this.verifier = verifier;
        this.switchActions = switchActions;
        this.persist = persist;
    }

    CutoverRecord record() {
        return record;
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
        CutoverOptions options = record.options();
        long deadline = System.nanoTime() + (long) (options.timeoutSeconds() * 1e9);
        try {
            switchActions.check(options.actions());
            transition(CutoverState.WAITING_FOR_LAG, "waiting for lag ≤ " + options.maxLagSeconds() + " s for "
                    + options.stableSeconds() + " s");
            if (!waitForStableLag(options, deadline)) {
                return;
            }
            fenceAndSwitch(options, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            liftAndFail("interrupted (Greenlight is shutting down)");
        } catch (Exception e) {
            liftAndFail(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private boolean waitForStableLag(CutoverOptions options, long deadline) throws InterruptedException {
        long stableSince = -1;
        while (true) {
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
                    if ((now - stableSince) / 1e9 >= options.stableSeconds()) {
                        // Still under the monitor: an abort cannot slip in between here and the fence.
                        transition(CutoverState.FENCING, "lag " + current + " s stayed ≤ " + options.maxLagSeconds()
                                + " s for " + options.stableSeconds() + " s");
                        return true;
                    }
                } else {
                    stableSince = -1;
                }
                if (now > deadline) {
                    transition(CutoverState.FAILED, "lag stayed above " + options.maxLagSeconds() + " s (now " + current
                            + " s) until timeoutSeconds " + options.timeoutSeconds() + " ran out; nothing was fenced");
                    return false;
                }
            }
            Thread.sleep(POLL_MS);
        }
    }

    private void fenceAndSwitch(CutoverOptions options, long deadline) throws Exception {
        DataSource source = pipeline.sourcePool().orElseThrow(() -> new IllegalStateException("the pipeline is not running"));
        DataSource target = pipeline.targetPool().orElseThrow(() -> new IllegalStateException("the pipeline is not running"));
        List<TableId> appTables = pipeline.applicationTables();
        try (Connection c = source.getConnection()) {
            SourceFence fence = new SourceFence(c);
            record = record.fenced(fence.plan(options.fence(), appTables));
            persist.accept(record);
            int ended = fence.apply(options.fence(), appTables);
            LOG.infof("Cutover %s: fence %s up, %d session(s) ended", record.id(), options.fence().mode(), ended);
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
        Map<TopicPartition, Long> drainTarget = awaitMarker(deadline);
        Map<String, Long> readable = new TreeMap<>();
        drainTarget.forEach((tp, offset) -> readable.put(tp.toString(), offset));
        record = record.drained(fenceLsn, readable);
        persist.accept(record);
        while (!lag.appliedThrough(drainTarget)) {
            checkDeadline(deadline, "draining to the marker");
            Thread.sleep(FENCED_POLL_MS);
        }

        transition(CutoverState.SYNCING_SEQUENCES, "every change up to the marker is applied");
        record = record.withSequences(awaitSequences(sequences, deadline));

        if (options.verify()) {
            transition(CutoverState.VERIFYING, record.sequences().size() + " sequence(s) synced");
            VerificationResult result = verifier.verify(source, target, tables);
            record = record.withVerification(result.summary());
            if (!result.matches()) {
                throw new IllegalStateException("verification found differences: " + result.summary());
            }
        }
        if (options.postpone()) {
            transition(CutoverState.POSTPONED, "holding before the switch until DELETE /cutover/postpone");
            long postponeDeadline = System.nanoTime() + (long) (options.postponeTimeoutSeconds() * 1e9);
            while (!postponeReleased) {
                if (System.nanoTime() > postponeDeadline) {
                    throw new IllegalStateException("postpone was not released within " + options.postponeTimeoutSeconds() + " s");
                }
                Thread.sleep(POLL_MS);
            }
        }
        transition(CutoverState.SWITCHING, "running switch actions");
        List<String> done = switchActions.run(options.actions(), record);
        done.forEach(line -> LOG.infof("Cutover %s switched %s", record.id(), line));
        record = record.switched(done);
        transition(CutoverState.COMPLETED, String.format("writes were blocked for %.3f s", record.writeBlockedSeconds()));
    }

    private List<String> syncSequences(DataSource source, DataSource target, Collection<SourceTable> tables)
            throws SQLException {
        try (Connection s = source.getConnection(); Connection t = target.getConnection()) {
            return new SequenceSync(s, t, dialect).sync(tables);
        }
    }

    private static List<String> awaitSequences(FutureTask<List<String>> sequences, long deadline) throws Exception {
        try {
            return sequences.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            sequences.cancel(true);
            throw new IllegalStateException("timeoutSeconds ran out while syncing sequences");
        } catch (ExecutionException e) {
            throw new IllegalStateException("syncing sequences failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Map<TopicPartition, Long> awaitMarker(long deadline) throws InterruptedException {
        while (true) {
            Optional<Map<TopicPartition, Long>> target = lag.drainTarget(record.id());
            if (target.isPresent()) {
                return target.get();
            }
            checkDeadline(deadline, "waiting for capture to pass the marker");
            Thread.sleep(FENCED_POLL_MS);
        }
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timeoutSeconds ran out while " + what);
        }
    }

    private void liftAndFail(String reason) {
        String outcome = reason;
        if (!record.fenceUndo().isEmpty() || record.state().fenced()) {
            outcome += liftFence(record, pipeline.sourcePool());
        }
        LOG.errorf("Cutover %s FAILED in %s: %s", record.id(), record.state(), outcome);
        try {
            transition(CutoverState.FAILED, outcome);
        } catch (RuntimeException e) {
            // The record in memory (GET /cutover) says FAILED; a restart finds the last persisted state and fails it too.
            LOG.errorf("Cannot persist the FAILED cutover record: %s", e.getMessage());
        }
    }

    /** Runs the persisted undo statements; the text is appended to the failure reason. */
    static String liftFence(CutoverRecord record, Optional<DataSource> source) {
        if (record.fenceUndo().isEmpty()) {
            return "; no fence to lift, the source keeps serving";
        }
        try (Connection c = source.orElseThrow(() -> new SQLException("no source connection")).getConnection()) {
            new SourceFence(c).lift(record.fenceUndo());
            return "; the fence was lifted, the source keeps serving";
        } catch (SQLException e) {
            return "; LIFTING THE FENCE FAILED (" + e.getMessage() + "): run on the source: "
                    + String.join("; ", record.fenceUndo());
        }
    }

    private void transition(CutoverState next, String note) {
        record = record.to(next, note);
        LOG.infof("Cutover %s → %s: %s", record.id(), next, note);
        persist.accept(record);
    }
}
