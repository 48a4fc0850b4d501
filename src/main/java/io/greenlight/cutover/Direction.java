package io.greenlight.cutover;

/**
 * Which way data flows: FORWARD (source → target) while the source is the primary; REVERSE (new
 * primary → old source) from a completed switch that kept a rollback path until a rollback or
 * complete, whether or not reverse replication runs right now (the reverse lag and
 * {@code cdc_reverse_running} say that); NONE after a switch that gave rollback up, or after complete.
 */
public enum Direction {
    FORWARD, REVERSE, NONE;

    /** The direction a cutover in this state implies (no cutover: FORWARD). */
    public static Direction of(CutoverRecord record) {
        if (record == null) {
            return FORWARD;
        }
        return switch (record.state()) {
            case FINISHED -> NONE;
            case COMPLETED, ROLLING_BACK -> record.options().giveUpRollback() ? NONE : REVERSE;
            default -> FORWARD;
        };
    }
}
