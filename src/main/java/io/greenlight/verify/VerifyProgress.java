package io.greenlight.verify;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live progress of one verification, read by GET /verify/{id} while tables are compared: per
 * table its state and rows (the catalog's estimate until the comparison counted the table in its
 * snapshot), rows compared, rate and the time left at that rate. Tables carried over from an
 * earlier, stopped attempt count as done but not towards the rate.
 */
public final class VerifyProgress {

    public enum TableState { PENDING, COMPARING, DONE, NOT_COMPARED }

    /** One table: {@code rows} is exact once {@code counted}, else the catalog's estimate (null: none known yet). */
    public record TableProgress(String table, TableState state, Long rows, boolean counted, long rowsCompared) {
    }

    private static final class Entry {
        volatile TableState state = TableState.PENDING;
        volatile Long rows;
        volatile boolean counted;
        final AtomicLong compared = new AtomicLong();
    }

    private final long startedNanos = System.nanoTime();
    private final Map<String, Entry> tables = new LinkedHashMap<>();
    /** Rows compared in this attempt (the rate's numerator). */
    private final AtomicLong rowsThisAttempt = new AtomicLong();
    private volatile long finishedNanos;

    /** Announces the tables, in report order, before anything is compared. */
    public synchronized void tables(List<String> names) {
        names.forEach(n -> tables.computeIfAbsent(n, k -> new Entry()));
    }

    /** A table finished by an earlier attempt: done, with its rows, not counted towards this attempt's rate. */
    public synchronized void carriedOver(String table, long rows) {
        Entry e = tables.computeIfAbsent(table, k -> new Entry());
        e.state = TableState.DONE;
        e.rows = rows;
        e.counted = true;
        e.compared.set(rows);
    }

    synchronized void estimated(String table, long rows) {
        Entry e = tables.computeIfAbsent(table, k -> new Entry());
        if (!e.counted) {
            e.rows = rows;
        }
    }

    /** A table continued from an earlier attempt's checkpoint: these rows were compared then, not in this attempt. */
    void resumed(String table, long rows) {
        entry(table).compared.set(rows);
    }

    void comparing(String table) {
        entry(table).state = TableState.COMPARING;
    }

    /** The exact rows of the table in the comparison's snapshots (the larger side). */
    void counted(String table, long rows) {
        Entry e = entry(table);
        e.rows = rows;
        e.counted = true;
    }

    void rowsCompared(String table, long rows) {
        entry(table).compared.addAndGet(rows);
        rowsThisAttempt.addAndGet(rows);
    }

    void tableDone(String table) {
        entry(table).state = TableState.DONE;
    }

    void notCompared(String table) {
        Entry e = entry(table);
        if (e.state != TableState.DONE) {
            e.state = TableState.NOT_COMPARED;
        }
    }

    void finished() {
        finishedNanos = System.nanoTime();
    }

    private synchronized Entry entry(String table) {
        return tables.computeIfAbsent(table, k -> new Entry());
    }

    public synchronized List<TableProgress> perTable() {
        return tables.entrySet().stream().map(e -> new TableProgress(e.getKey(), e.getValue().state, e.getValue().rows,
                e.getValue().counted, e.getValue().compared.get())).toList();
    }

    public int tablesTotal() {
        return perTable().size();
    }

    public int tablesDone() {
        return (int) perTable().stream().filter(t -> t.state() == TableState.DONE).count();
    }

    /** Rows read and compared, source and target rows counted once per pair (tables carried over included). */
    public long rowsCompared() {
        return perTable().stream().mapToLong(TableProgress::rowsCompared).sum();
    }

    /** Rows to compare in all: exact counts where taken, catalog estimates elsewhere; empty while a table has neither. */
    public OptionalLong rowsTotal() {
        long total = 0;
        for (TableProgress t : perTable()) {
            if (t.rows() == null) {
                return OptionalLong.empty();
            }
            // A table may hold more rows than estimated: never report fewer than were compared.
            total += Math.max(t.rows(), t.rowsCompared());
        }
        return OptionalLong.of(total);
    }

    public double elapsedSeconds() {
        long end = finishedNanos != 0 ? finishedNanos : System.nanoTime();
        return (end - startedNanos) / 1e9;
    }

    /** Rows per second of this attempt. */
    public long rowsPerSecond() {
        double seconds = elapsedSeconds();
        return seconds <= 0 ? 0 : Math.round(rowsThisAttempt.get() / seconds);
    }

    /** Seconds left at this attempt's rate: 0 once finished; empty before a rate or the total is known. */
    public OptionalLong etaSeconds() {
        if (finishedNanos != 0) {
            return OptionalLong.of(0);
        }
        OptionalLong total = rowsTotal();
        double seconds = elapsedSeconds();
        long done = rowsThisAttempt.get();
        if (total.isEmpty() || done == 0 || seconds <= 0) {
            return OptionalLong.empty();
        }
        long left = Math.max(0, total.getAsLong() - rowsCompared());
        return OptionalLong.of(Math.round(left / (done / seconds)));
    }
}
