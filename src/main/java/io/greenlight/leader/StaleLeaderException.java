package io.greenlight.leader;

/**
 * A write refused because this instance's epoch is no longer the current one: another instance
 * took the lease over (this one was paused, partitioned or too slow to renew). Never retried;
 * the transaction it was checked in is rolled back.
 */
public final class StaleLeaderException extends RuntimeException {

    public StaleLeaderException(String message) {
        super(message);
    }

    /** True when {@code e} or one of its causes is a refusal of a stale epoch. */
    public static boolean in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StaleLeaderException) {
                return true;
            }
        }
        return false;
    }
}
