package io.greenlight.cutover;

import io.greenlight.apply.ApplyGate;
import io.greenlight.reverse.PrimaryFence;
import io.greenlight.reverse.ReverseReplication;
import io.greenlight.reverse.SequencesBack;
import io.greenlight.schema.SourceTable;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * POST /rollback of a COMPLETED cutover: the forward switch run backwards. Fences the new primary
 * ({@link NewPrimaryFence}; its undo persisted first), drains reverse replication exactly to a marker written after the
 * fence, sets the source's sequences past every key the new primary handed out, reverts the switch
 * actions (latest first), lifts the source's fence and opens forward apply: the source is the
 * primary again, the target its read-only standby, and POST /cutover may switch again. The window
 * from the new primary's fence to the source's lifted fence is the write-blocked time, bounded by
 * the cutover's maxWriteBlockedSeconds. Every step is idempotent: after a crash the start resumes
 * it. A failure before any switch action was reverted lifts the new primary's fence and leaves the
 * cutover COMPLETED (reverse replication goes on); after that, it stays ROLLING_BACK, fenced on
 * both sides, and POST /rollback finishes it.
 */
final class RollbackRun implements Runnable {

    private static final Logger LOG = Logger.getLogger(RollbackRun.class);
    private static final long FENCED_POLL_MS = 5;

    private final DataPath pipeline;
    private final ReverseReplication reverse;
    private final SwitchActions switchActions;
    private final ApplyGate gate;
    private final SourceConnections sourceConnections;
    private final Consumer<CutoverRecord> persist;
    private final Consumer<CutoverRecord> persistQuietly;
    private final String targetUser;
    private volatile CutoverRecord record;
    private volatile java.util.function.Supplier<io.greenlight.leader.Fence> epoch = () -> io.greenlight.leader.Fence.NONE;

    RollbackRun(CutoverRecord record, DataPath pipeline, ReverseReplication reverse, SwitchActions switchActions, ApplyGate gate,
                SourceConnections sourceConnections, Consumer<CutoverRecord> persist, Consumer<CutoverRecord> persistQuietly,
                String targetUser) {
        this.record = record;
        this.pipeline = pipeline;
        this.reverse = reverse;
        this.switchActions = switchActions;
        this.gate = gate;
        this.sourceConnections = sourceConnections;
        this.persist = persist;
        this.persistQuietly = persistQuietly;
        this.targetUser = targetUser;
    }

    CutoverRecord record() {
        return record;
    }

    /** The leader's fencing token, checked in the transaction that lifts the source's fence. */
    void fencedBy(java.util.function.Supplier<io.greenlight.leader.Fence> epoch) {
        this.epoch = epoch;
    }

    @Override
    public void run() {
        try {
            if (record.state() != CutoverState.ROLLING_BACK) {
                transition(CutoverState.ROLLING_BACK, "POST /rollback: fencing the new primary");
            } else {
                LOG.warnf("Cutover %s is ROLLING_BACK: running the rollback's steps again (they are idempotent)", record.id());
            }
            rollBack();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("Rollback of cutover %s interrupted (Greenlight is shutting down); the next start resumes it", record.id());
        } catch (Exception e) {
            failSafely(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private void rollBack() throws Exception {
        DataSource source = await(() -> pipeline.sourcePool());
        DataSource target = await(() -> pipeline.targetPool());
        await(() -> pipeline.tables().isEmpty() ? Optional.empty() : pipeline.sourcePool());
        if (!reverse.start(source, target, pipeline.tables())) {
            throw new IllegalStateException("no reverse replication position is recorded on the source (the cutover gave "
                    + "rollback up, or its bookkeeping was removed): a rollback would lose the writes made on the target");
        }
        WriteBlockBudget budget = WriteBlockBudget.startingNow(record.options().maxWriteBlockedSeconds());
        Instant fencedAt;
        List<String> undo;
        try (Connection t = target.getConnection()) {
            t.setAutoCommit(true);
            boolean postgres = pipeline.dialect().map(d -> d.name().equals("postgresql")).orElse(false);
            NewPrimaryFence fence = NewPrimaryFence.of(t, postgres, record.options().fence(), pipeline.applicationTables(), targetUser);
            CutoverRecord.Rollback earlier = record.rollback();
            undo = earlier != null && earlier.primaryFenceUp() ? earlier.primaryFenceUndo() : fence.plan();
            fencedAt = earlier != null && earlier.primaryFenceUp() && earlier.fencedAt() != null ? earlier.fencedAt() : Instant.now();
            // Persisted (on the source first) before the fence goes up: whoever finds it can lift it.
            record = record.withRollback(new CutoverRecord.Rollback(undo, true, fencedAt, null, null, List.of()));
            persist.accept(record);
            int ended = fence.apply();
            LOG.infof("Cutover %s rollback: the new primary is fenced, %d application session(s) ended", record.id(), ended);
            for (int left = fence.stillConnected(); left > 0; left = fence.stillConnected()) {
                budget.check(CutoverState.ROLLING_BACK, "waiting for " + left + " ended session(s) on the new primary to exit");
                Thread.sleep(FENCED_POLL_MS);
            }
            List<String> leaks = fence.leaks();
            if (!leaks.isEmpty()) {
                throw new IllegalStateException("the new primary's fence does not stop every write, so the drain could miss some; "
                        + "the marker was not written: " + String.join("; ", leaks));
            }
        }
        String marker = "rollback-" + record.id() + "-" + System.currentTimeMillis();
        reverse.writeMarker(target, marker);
        while (!reverse.markerApplied(marker)) {
            if (!reverse.running()) {
                throw new IllegalStateException("reverse replication stopped while draining: " + reverse.status().get("failure"));
            }
            budget.check(CutoverState.ROLLING_BACK, "draining reverse replication to its marker");
            Thread.sleep(FENCED_POLL_MS);
        }
        List<SourceTable> tables = pipeline.applicationTables().stream().map(pipeline.tables()::get).toList();
        List<String> sequences;
        try (Connection s = source.getConnection(); Connection t = target.getConnection()) {
            s.setAutoCommit(true);
            sequences = SequencesBack.sync(s, t, tables);
        }
        record = record.withRollback(new CutoverRecord.Rollback(undo, true, fencedAt, null, marker, sequences));
        persist.accept(record);
        budget.check(CutoverState.ROLLING_BACK, "syncing sequences back");

        List<SwitchRun> ran = new ArrayList<>(record.unreverted());
        Collections.reverse(ran);
        for (SwitchRun run : ran) {
            SwitchRun reverted = switchActions.revert(run, record.options().actions(), record);
            record = record.withRun(reverted);
            persist.accept(record);
            LOG.infof("Cutover %s rollback reverted %s: %s", record.id(), run.action(), reverted.note());
        }
        // Held before the source takes writes again: while CLOSED, forward apply reports what it reads and skips it.
        gate.hold("the rollback of cutover " + record.id() + " hands the primary back to the source");
        Optional<String> failure = CutoverStateMachine.lift(record, sourceConnections, epoch.get());
        if (failure.isPresent()) { // still fenced: undone, the target stays the primary and reverse replication goes on
            throw new IllegalStateException("lifting the source's fence failed (" + failure.get() + "): run on the source: "
                    + String.join("; ", record.fenceUndo()) + "; then POST /rollback again");
        }
        reverse.stop(); // drained, and the source is the primary: nothing more comes from the fenced standby
        double blocked = Duration.between(fencedAt, Instant.now()).toNanos() / 1e9;
        gate.open();
        record = record.lifted().withRollback(new CutoverRecord.Rollback(undo, true, fencedAt, blocked, marker, sequences));
        transition(CutoverState.ROLLED_BACK, String.format("writes were blocked for %.3f s; the source is the primary again, "
                + "the target its read-only standby (%s)", blocked, undo.isEmpty() ? "it was read-only before" : String.join("; ", undo)
                + " lifts that; the next POST /cutover does"));
        reverse.discardStart(target); // after the window: the next switch records a new start
    }

    /** Where a rollback that failed ends: undone (the target stays the primary) or unfinished (POST /rollback finishes it). */
    enum AfterFailure {
        /** Nothing was handed back yet: lift the new primary's fence, COMPLETED, reverse replication goes on. */
        UNDO,
        /** Something was handed back to the source already: never lift the new primary's fence; stay ROLLING_BACK. */
        FINISH_LATER
    }

    static AfterFailure afterFailure(CutoverRecord record) {
        boolean reverted = record.switchRuns().stream().anyMatch(r -> r.state() == SwitchRun.State.REVERTED);
        return reverted || !record.fenceUp() ? AfterFailure.FINISH_LATER : AfterFailure.UNDO;
    }

    private void failSafely(String reason) {
        CutoverRecord.Rollback rollback = record.rollback();
        if (afterFailure(record) == AfterFailure.UNDO) {
            String outcome = "; the target stays the primary and reverse replication goes on";
            if (rollback != null && rollback.primaryFenceUp()) {
                try (Connection t = pipeline.targetPool().orElseThrow().getConnection()) {
                    t.setAutoCommit(true);
                    new PrimaryFence(t).lift(rollback.primaryFenceUndo());
                    record = record.withRollback(new CutoverRecord.Rollback(rollback.primaryFenceUndo(), false, rollback.fencedAt(),
                            Duration.between(rollback.fencedAt(), Instant.now()).toNanos() / 1e9, rollback.marker(), rollback.sequences()));
                    outcome = "; the new primary's fence was lifted" + outcome;
                } catch (Exception e) {
                    outcome = "; LIFTING THE NEW PRIMARY'S FENCE FAILED (" + e.getMessage() + "): run on the target: "
                            + String.join("; ", rollback.primaryFenceUndo());
                }
            }
            gate.close("cutover " + record.id() + " COMPLETED: the target is the primary");
            LOG.errorf("Rollback of cutover %s failed: %s%s", record.id(), reason, outcome);
            record = record.to(CutoverState.COMPLETED, "rollback failed: " + reason + outcome);
        } else {
            gate.hold("the rollback of cutover " + record.id() + " is unfinished");
            String sides = record.fenceUp() ? "both sides stay fenced" : "the source takes writes again, the target stays fenced "
                    + "and forward apply holds";
            LOG.errorf("Rollback of cutover %s failed after it began handing the primary back: %s. %s; "
                    + "fix the cause and POST /rollback again to finish it", record.id(), reason, sides);
            record = record.to(CutoverState.ROLLING_BACK, "rollback stopped: " + reason + "; " + sides
                    + "; POST /rollback again to finish it");
        }
        persistQuietly.accept(record);
    }

    private interface Pool {
        Optional<DataSource> get();
    }

    /** The pipeline's pool (a resumed rollback starts before the pipeline is up). */
    private static DataSource await(Pool pool) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            Optional<DataSource> p = pool.get();
            if (p.isPresent()) {
                return p.get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the pipeline did not reach the source and target within 120 s");
    }

    /** Persisted before it becomes the record: a failure to persist leaves the record where the journal says it is. */
    private void transition(CutoverState next, String note) {
        CutoverRecord moved = record.to(next, note);
        LOG.infof("Cutover %s → %s: %s", moved.id(), next, note);
        persist.accept(moved);
        record = moved;
    }
}
