package io.greenlight.cutover;

/**
 * Where a cutover is, in both directions. Forward: ARMED … SWITCHING → COMPLETED (the target is
 * the primary; reverse replication keeps the source in sync). From COMPLETED, POST /rollback runs
 * ROLLING_BACK → ROLLED_BACK (the source is the primary again; a new POST /cutover may follow),
 * and POST /complete ends the migration: FINISHED. Terminal states: COMPLETED, ABORTED, FAILED,
 * ROLLED_BACK, FINISHED.
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
}
