package io.greenlight.cutover;

/**
 * The one budget of the write-blocked window (maxWriteBlockedSeconds), counted from the fence:
 * waiting for ended sessions, the drain, the sequence sync, the verification and the postpone all
 * spend it. When it runs out the cutover fails before any switch and the fence is lifted.
 */
final class WriteBlockBudget {

    private final double seconds;
    private final long deadline;

    private WriteBlockBudget(double seconds, long deadline) {
        this.seconds = seconds;
        this.deadline = deadline;
    }

    static WriteBlockBudget startingNow(double seconds) {
        return new WriteBlockBudget(seconds, System.nanoTime() + (long) (seconds * 1e9));
    }

    long remainingNanos() {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** Throws once the budget is spent; {@code what} names the step that was waiting. */
    void check(CutoverState state, String what) {
        if (System.nanoTime() > deadline) {
            throw expired(state, what);
        }
    }

    IllegalStateException expired(CutoverState state, String what) {
        return new IllegalStateException("maxWriteBlockedSeconds (" + seconds + " s) ran out in " + state + " while " + what
                + ": writes may not stay blocked longer; nothing was switched");
    }
}
