package io.greenlight.backfill;

import io.greenlight.schema.TableId;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What /status shows of a running or finished backfill: per table rows and chunks, copied and planned. */
public final class BackfillProgress {

    /** One table's progress; estimatedRows is the catalog's estimate (-1 when unknown). */
    public record TableProgress(String table, String state, long rowsCopied, long estimatedRows, int chunksDone,
                                int chunksTotal) {
    }

    private static final class Table {
        final AtomicLong rows = new AtomicLong();
        final AtomicInteger chunksDone = new AtomicInteger();
        volatile long estimatedRows = -1;
        volatile int chunksTotal;
        volatile boolean done;
    }

    private final Map<TableId, Table> tables = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile java.util.function.Supplier<CopyThrottle.View> throttle = () -> null;

    void throttledBy(CopyThrottle throttle) {
        this.throttle = throttle::view;
    }

    /** How the copy is paced: its cap, and whether it waits for a strained source now and why. */
    public CopyThrottle.View throttle() {
        return throttle.get();
    }

    void running(boolean running) {
        this.running = running;
    }

    /** True while tables are being copied; apply starts once it is false. */
    public boolean running() {
        return running;
    }

    void planned(TableId table, int chunksTotal, long estimatedRows, int chunksDone, long rowsCopied) {
        Table t = tables.computeIfAbsent(table, k -> new Table());
        t.chunksTotal = chunksTotal;
        t.estimatedRows = estimatedRows;
        t.chunksDone.set(chunksDone);
        t.rows.set(rowsCopied);
    }

    void copied(TableId table, long rows) {
        Table t = tables.computeIfAbsent(table, k -> new Table());
        t.rows.addAndGet(rows);
        t.chunksDone.incrementAndGet();
    }

    void done(TableId table, long rows) {
        Table t = tables.computeIfAbsent(table, k -> new Table());
        t.rows.set(rows);
        t.chunksDone.set(t.chunksTotal);
        t.done = true;
    }

    public List<TableProgress> tables() {
        return tables.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> new TableProgress(e.getKey().toString(),
                e.getValue().done ? "DONE" : "COPYING", e.getValue().rows.get(), e.getValue().estimatedRows,
                e.getValue().chunksDone.get(), e.getValue().chunksTotal)).toList();
    }
}
