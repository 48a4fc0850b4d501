package io.greenlight.cutover;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a cutover is, in both directions. Forward: ARMED … SWITCHING → COMPLETED (the target is
 * the primary; reverse replication keeps the source in sync). From COMPLETED, POST /rollback runs
 * ROLLING_BACK → ROLLED_BACK (the source is the primary again; a new POST /cutover may follow),
 * and POST /complete ends the migration: FINISHED. Terminal states: COMPLETED, ABORTED, FAILED,
 * ROLLED_BACK, FINISHED. {@link #next()} is the one table of allowed transitions.
 */
public enum CutoverState {
    ARMED, WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, VERIFYING, POSTPONED, SWITCHING,
    COMPLETED, ABORTED, FAILED, ROLLING_BACK, ROLLED_BACK, FINISHED;

    public boolean terminal() {
        return this == COMPLETED || this == ABORTED || this == FAILED || this == ROLLED_BACK || this == FINISHED;
    }

    /** From FENCING on, writes on the source may be blocked: the fence must be lifted on failure. */
    public boolean fenced() {
        return ordinal() >= FENCING.ordinal() && ordinal() <= SWITCHING.ordinal();
    }

    /**
     * The states this one may move to. Every state before the switch may fail; only ARMED and
     * WAITING_FOR_LAG may be aborted (nothing is fenced yet). A rollback that fails before anything
     * was reverted returns to COMPLETED; one that stops later stays ROLLING_BACK (a new entry in its
     * history) until POST /rollback finishes it. ABORTED, FAILED, ROLLED_BACK and FINISHED never move.
     */
    public Set<CutoverState> next() {
        return switch (this) {
            case ARMED -> EnumSet.of(WAITING_FOR_LAG, ABORTED, FAILED);
            case WAITING_FOR_LAG -> EnumSet.of(FENCING, ABORTED, FAILED);
            case FENCING -> EnumSet.of(DRAINING, FAILED);
            case DRAINING -> EnumSet.of(SYNCING_SEQUENCES, FAILED);
            case SYNCING_SEQUENCES -> EnumSet.of(VERIFYING, POSTPONED, SWITCHING, FAILED);
            case VERIFYING -> EnumSet.of(POSTPONED, SWITCHING, FAILED);
            case POSTPONED -> EnumSet.of(SWITCHING, FAILED);
            case SWITCHING -> EnumSet.of(COMPLETED, FAILED);
            case COMPLETED -> EnumSet.of(ROLLING_BACK, FINISHED);
            case ROLLING_BACK -> EnumSet.of(ROLLED_BACK, COMPLETED, ROLLING_BACK);
            case ABORTED, FAILED, ROLLED_BACK, FINISHED -> EnumSet.noneOf(CutoverState.class);
        };
    }
}
