package io.greenlight.verify;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The bound of one verification: comparisons check {@link #expired()} between chunks, and when
 * the time is up every statement still reading is cancelled (a JDBC read does not react to a
 * thread interrupt; a blocked one would never reach a chunk boundary, and a MySQL/MariaDB
 * streaming result set would otherwise be read to its end on close).
 */
final class Deadline implements AutoCloseable {

    static final Deadline NONE = new Deadline();

    private final Set<Statement> reading = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final ScheduledFuture<?> alarm;
    private final long endNanos;
    private volatile boolean expired;

    private Deadline() {
        this.timer = null;
        this.alarm = null;
        this.endNanos = Long.MAX_VALUE;
    }

    private Deadline(long millis) {
        this.endNanos = System.nanoTime() + millis * 1_000_000;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "greenlight-verify-deadline");
            t.setDaemon(true);
            return t;
        });
        // Once expired, cancels again every second: a statement registered just before its execute
        // started was not yet running when the first cancel came.
        this.alarm = timer.scheduleWithFixedDelay(this::expire, millis, 1000, TimeUnit.MILLISECONDS);
    }

    static Deadline after(java.time.Duration bound) {
        return new Deadline(Math.max(1, bound.toMillis()));
    }

    boolean expired() {
        return expired;
    }

    /** {@code wait}, shortened to the time left. */
    java.time.Duration cap(java.time.Duration wait) {
        if (endNanos == Long.MAX_VALUE) {
            return wait;
        }
        long left = Math.max(0, endNanos - System.nanoTime());
        return wait.toNanos() < left ? wait : java.time.Duration.ofNanos(left);
    }

    /** Throws once the time is up: called between chunks. */
    void check() throws TimedOut {
        if (expired) {
            throw new TimedOut();
        }
    }

    /** A statement to cancel when the time is up; {@link #done} when it finished. */
    void reading(Statement statement) {
        if (this == NONE) {
            return;
        }
        reading.add(statement);
        if (expired) {
            cancel(statement);
        }
    }

    void done(Statement statement) {
        reading.remove(statement);
    }

    private void expire() {
        expired = true;
        reading.forEach(Deadline::cancel);
    }

    private static void cancel(Statement statement) {
        try {
            statement.cancel();
        } catch (SQLException | RuntimeException e) {
            // already finished or closed: nothing to stop
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            alarm.cancel(false);
            timer.shutdownNow();
        }
    }

    /** The verification ran out of time before this table was finished. */
    static final class TimedOut extends Exception {
        TimedOut() {
            super("the verification's time bound was reached", null, false, false);
        }
    }
}
