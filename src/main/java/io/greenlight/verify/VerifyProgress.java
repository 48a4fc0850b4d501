package io.greenlight.verify;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Live progress of one verification: read by GET /verify/{id} while tables are compared. */
public final class VerifyProgress {

    private final long startedNanos = System.nanoTime();
    private final AtomicInteger tablesTotal = new AtomicInteger();
    private final AtomicInteger tablesDone = new AtomicInteger();
    private final AtomicLong rowsCompared = new AtomicLong();
    private volatile long finishedNanos;

    void tablesTotal(int total) {
        tablesTotal.set(total);
    }

    void tableDone() {
        tablesDone.incrementAndGet();
    }

    void rowsCompared(long rows) {
        rowsCompared.addAndGet(rows);
    }

    void finished() {
        finishedNanos = System.nanoTime();
    }

    public int tablesTotal() {
        return tablesTotal.get();
    }

    public int tablesDone() {
        return tablesDone.get();
    }

    /** Rows read and compared, source and target rows counted once per pair. */
    public long rowsCompared() {
        return rowsCompared.get();
    }

    public double elapsedSeconds() {
        long end = finishedNanos != 0 ? finishedNanos : System.nanoTime();
        return (end - startedNanos) / 1e9;
    }

    public long rowsPerSecond() {
        double seconds = elapsedSeconds();
        return seconds <= 0 ? 0 : Math.round(rowsCompared() / seconds);
    }
}
