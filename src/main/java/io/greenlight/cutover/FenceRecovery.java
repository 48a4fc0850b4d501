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

    /** What a start does with a cutover the journal holds in this state. */
    enum Step {
        /** Fenced before the switch: lift the fence, the cutover FAILED. */
        LIFT_AND_FAIL,
        /** SWITCHING: run the (idempotent) switch actions again; the fence stays up. */
        RESUME_SWITCH,
        /** ROLLING_BACK: forward apply holds, the (idempotent) rollback steps run again. */
        RESUME_ROLLBACK,
        /** COMPLETED or FINISHED: the target is the primary, forward apply stays closed. */
        KEEP_CLOSED,
        /** FAILED with a switch action not reverted: the fence stays up, forward apply holds. */
        HOLD_FENCED,
        /** FAILED with its fence still up and nothing switched: lift it now. */
        LIFT_LEFTOVER,
        /** ARMED or WAITING_FOR_LAG: nothing is fenced; once the pipeline runs, it waits for lag again. */
        WAIT_FOR_LAG_AGAIN,
        /** ABORTED, ROLLED_BACK, FAILED with the fence lifted: nothing to do, forward apply writes. */
        NOTHING
    }

    static Step step(CutoverRecord record) {
        CutoverState state = record.state();
        if (state.fenced()) {
            return state == CutoverState.SWITCHING ? Step.RESUME_SWITCH : Step.LIFT_AND_FAIL;
        }
        return switch (state) {
            case ROLLING_BACK -> Step.RESUME_ROLLBACK;
            case COMPLETED, FINISHED -> Step.KEEP_CLOSED;
            case FAILED -> !record.fenceUp() ? Step.NOTHING : record.unreverted().isEmpty() ? Step.LIFT_LEFTOVER : Step.HOLD_FENCED;
            case ARMED, WAITING_FOR_LAG -> Step.WAIT_FOR_LAG_AGAIN;
            default -> Step.NOTHING;
        };
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
            switch (step(record)) {
                case LIFT_AND_FAIL -> {
                    Optional<String> failure = lift(record, c);
                    now = record.to(CutoverState.FAILED, "Greenlight restarted during " + state + "; nothing was switched"
                            + outcome(record, failure));
                    now = failure.isEmpty() ? now.lifted() : now;
                    LOG.errorf("Cutover %s FAILED: %s", record.id(), now.reason());
                    journal.save(c, now);
                }
                case RESUME_SWITCH -> {
                    resumeSwitch.accept(record); // runs the idempotent switch actions again
                    gateDecided = true;
                }
                case RESUME_ROLLBACK -> {
                    gate.hold("the rollback of cutover " + record.id() + " is resumed");
                    resumeSwitch.accept(record); // runs the idempotent rollback steps again
                    gateDecided = true;
                }
                case KEEP_CLOSED -> {
                    if (state == CutoverState.COMPLETED) {
                        // Before the gate closes: forward apply reads every change since the switch again, reverse apply's too.
                        io.greenlight.reverse.ReverseTransactions.load(c).forEach(gate::reverseWrote);
                    }
                    gate.close(state == CutoverState.FINISHED ? "cutover " + record.id() + " FINISHED: the migration is over"
                            : "cutover " + record.id() + " COMPLETED: the target is the primary");
                    gateDecided = true;
                }
                case HOLD_FENCED -> {
                    gate.hold("cutover " + record.id() + " FAILED with switch actions not reverted");
                    gateDecided = true;
                    LOG.errorf("Cutover %s FAILED and its source stays fenced: %s", record.id(), record.reason());
                }
                case LIFT_LEFTOVER -> {
                    Optional<String> failure = lift(record, c);
                    if (failure.isEmpty()) {
                        now = record.lifted();
                        journal.save(c, now);
                    }
                    LOG.warnf("Cutover %s FAILED earlier with its fence up; at this start%s", record.id(), outcome(record, failure));
                }
                case WAIT_FOR_LAG_AGAIN, NOTHING -> {
                    // nothing is fenced: forward apply writes (a waiting cutover resumes once the pipeline runs)
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
