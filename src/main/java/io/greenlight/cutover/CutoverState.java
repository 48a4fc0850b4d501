package io.greenlight.cutover;

/** Where a cutover is. Terminal states: COMPLETED, ABORTED, FAILED. */
public enum CutoverState {
    ARMED, WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, VERIFYING, POSTPONED, SWITCHING,
    COMPLETED, ABORTED, FAILED;

    public boolean terminal() {
        return this == COMPLETED || this == ABORTED || this == FAILED;
    }

    /** From FENCING on, writes on the source may be blocked: the fence must be lifted on failure. */
    public boolean fenced() {
        return ordinal() >= FENCING.ordinal() && ordinal() <= SWITCHING.ordinal();
    }
}
