package io.greenlight.cutover;

import io.greenlight.apply.ApplyGate;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a start does first, before and independent of the pipeline, from the source alone: for
 * each cutover in the source's journal, a fence a crash left up before the switch is lifted (and
 * the cutover FAILED), a switch or a rollback in progress is resumed (never lifted blindly), a completed cutover
 * keeps forward apply closed, a failed one whose switch was not reverted keeps it held.
 */
final class FenceRecovery {

    private static final Logger LOG = Logger.getLogger(FenceRecovery.class);

    private final SourceJournal journal;
    private final ApplyGate gate;
    private final io.greenlight.leader.Fence epoch;

    /** {@code epoch}: the leader's fencing token; a fence is lifted only in a transaction that checks it. */
    FenceRecovery(SourceJournal journal, ApplyGate gate, io.greenlight.leader.Fence epoch) {
        this.journal = journal;
        this.gate = gate;
        this.epoch = epoch;
    }

    /**
     * Recovers every journaled cutover over {@code c} (a writable session); {@code resumeSwitch}
     * runs a cutover that was SWITCHING. Returns the latest record, or null when there is none.
     */
    CutoverRecord recover(List<CutoverRecord> journaled, Connection c, Consumer<CutoverRecord> resumeSwitch) throws SQLException {
        boolean gateDecided = false;
        CutoverRecord last = null;
        for (CutoverRecord record : journaled) {
            CutoverRecord now = record;
            CutoverState state = record.state();
            if (state.fenced() && state != CutoverState.SWITCHING) {
                Optional<String> failure = lift(record, c);
                now = record.to(CutoverState.FAILED, "Greenlight restarted during " + state + "; nothing was switched"
                        + outcome(record, failure));
                now = failure.isEmpty() ? now.lifted() : now;
                LOG.errorf("Cutover %s FAILED: %s", record.id(), now.reason());
                journal.save(c, now);
            } else if (state == CutoverState.SWITCHING) {
                resumeSwitch.accept(record); // runs the idempotent switch actions again
                gateDecided = true;
            } else if (state == CutoverState.ROLLING_BACK) {
                gate.hold("the rollback of cutover " + record.id() + " is resumed");
                resumeSwitch.accept(record); // runs the idempotent rollback steps again
                gateDecided = true;
            } else if (state == CutoverState.FINISHED) {
                gate.close("cutover " + record.id() + " FINISHED: the migration is over");
                gateDecided = true;
            } else if (state == CutoverState.COMPLETED) {
                // Before the gate closes: forward apply reads every change since the switch again, reverse apply's too.
                io.greenlight.reverse.ReverseTransactions.load(c).forEach(gate::reverseWrote);
                gate.close("cutover " + record.id() + " COMPLETED: the target is the primary");
                gateDecided = true;
            } else if (state == CutoverState.FAILED && record.fenceUp()) {
                if (!record.unreverted().isEmpty()) {
                    gate.hold("cutover " + record.id() + " FAILED with switch actions not reverted");
                    gateDecided = true;
                    LOG.errorf("Cutover %s FAILED and its source stays fenced: %s", record.id(), record.reason());
                } else {
                    Optional<String> failure = lift(record, c);
                    if (failure.isEmpty()) {
                        now = record.lifted();
                        journal.save(c, now);
                    }
                    LOG.warnf("Cutover %s FAILED earlier with its fence up; at this start%s", record.id(), outcome(record, failure));
                }
            }
            last = now;
        }
        if (!gateDecided) {
            gate.open();
        }
        LOG.infof("Cutover journal on the source read: %d cutover(s)%s", journaled.size(),
                last == null ? "" : ", the latest " + last.id() + " is " + last.state());
        return last;
    }

    /** Runs the undo statements on {@code c}; empty when they ran (or there were none), else why not. */
    private Optional<String> lift(CutoverRecord record, Connection c) {
        if (!record.fenceUp()) {
            return Optional.empty();
        }
        try {
            new SourceFence(c, epoch).lift(record.fenceUndo());
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static String outcome(CutoverRecord record, Optional<String> failure) {
        if (!record.fenceUp()) {
            return "; no fence to lift, the source keeps serving";
        }
        return failure.map(why -> "; LIFTING THE FENCE FAILED (" + why + "): run on the source: " + String.join("; ", record.fenceUndo()))
                .orElse("; the fence was lifted at the restart, the source keeps serving");
    }
}
