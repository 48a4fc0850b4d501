package io.greenlight.backfill;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.exceptionsorter.MySQLExceptionSorter;
import io.greenlight.DataSources;
import io.greenlight.apply.Change;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * The initial load of snapshot-mode backfill. On a first start (no progress stored anywhere) it
 * creates the logical slot itself, exporting the slot's snapshot, and copies every table at that
 * snapshot while capture streams from the slot into Kafka; apply starts after it, so the stream
 * lands on a complete copy and nothing is applied twice or missed.
 * <p>
 * After a crash the exported snapshot is gone. Each table not finished then is emptied on the
 * target and copied again, whole, at a fresh snapshot; that snapshot's transaction set is stored
 * with the table, and apply skips the table's streamed changes of transactions the copy already
 * contains ({@link #alreadyCopied()}). Correct for keyed and keyless tables alike, and for
 * unchanged-TOAST updates, which need the row to exist on the target with its full values.
 */
public final class Backfill implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Backfill.class);

    private final GreenlightConfig.Backfill config;
    private final GreenlightConfig.Source sourceConfig;
    private final DataSource source;
    private final DataSource target;
    private final Map<TableId, SourceTable> tables;
    private final PipelineMeters meters;
    private final BackfillStore store;
    private final Dialect dialect;
    private final ChunkCopier copier;
    private final CopyThrottle throttle;
    private volatile io.greenlight.leader.Fence fence = io.greenlight.leader.Fence.NONE;
    private final ChunkPlanner planner;
    private final BackfillProgress progress = new BackfillProgress();
    /** Read by apply's filter: filled by prepare() and by run() for tables copied at a fresh snapshot. */
    private final Map<TableId, TxSnapshot> copiedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<TableId> pending = new ArrayList<>();
    private ExportedSnapshot snapshot;
    private final AgroalDataSource loadPool;
    /** Tables paused at a row the target cannot take, with the error (apply holds them until a restart copies them again). */
    private final Map<TableId, String> paused = new ConcurrentHashMap<>();
    /** Told of each paused table; null: a refused row stops the backfill (greenlight.apply.on-error=stop-pipeline). */
    private final BiConsumer<TableId, String> onPause;

    /** The leader's fencing token: every chunk's target transaction checks it. Set before {@link #run}. */
    public void fencedBy(io.greenlight.leader.Fence fence) {
        this.fence = fence;
        copier.fencedBy(fence);
    }

    public Backfill(GreenlightConfig.Backfill config, GreenlightConfig.Source sourceConfig,
                    GreenlightConfig.Target targetConfig, DataSource source, DataSource target, Dialect dialect,
                    Map<TableId, SourceTable> tables, PipelineMeters meters,
                    BiConsumer<TableId, String> onPause) throws SQLException {
        this.onPause = onPause;
        this.config = config;
        this.sourceConfig = sourceConfig;
        this.source = source;
        this.target = target;
        this.tables = Map.copyOf(tables);
        this.meters = meters;
        this.store = new BackfillStore(dialect);
        this.dialect = dialect;
        this.throttle = new CopyThrottle(config.maxRowsPerSecond(), config.throttle(), new SourceLoad(
                sourceConfig.url().orElseThrow(), sourceConfig.username().orElseThrow(), sourceConfig.password(),
                config.throttle().checkInterval()), meters);
        progress.throttledBy(throttle);
        this.loadPool = bulkPool(dialect, targetConfig, config.parallelism());
        String url = Dialect.connectionUrl(targetConfig.url().orElseThrow());
        boolean bulkOnTarget = dialect.bulkLoadUrl(url).equals(url); // any target connection may bulk-load (COPY FROM)
        this.copier = loadPool != null ? new ChunkCopier(source, loadPool, true, dialect, store, config.batchRows(), throttle)
                : new ChunkCopier(source, target, bulkOnTarget, dialect, store, config.batchRows(), throttle);
        this.planner = new ChunkPlanner(config.chunkPages());
    }

    /**
     * Decides what to copy, before capture starts. {@code streamProgress}: apply or capture stored
     * positions (greenlight_offsets rows, Debezium offsets in Kafka). With no progress anywhere
     * this is a first start: it creates the slot and exports its snapshot.
     */
    public void prepare(boolean streamProgress) throws SQLException {
        Map<TableId, BackfillStore.TableState> states;
        try (Connection connection = target.getConnection()) {
            store.createTable(connection);
            states = store.load(connection);
        }
        states.forEach((table, state) -> {
            if (state.copiedAt() != null) {
                copiedAt.put(table, state.copiedAt());
            }
        });
        boolean slotExists = slotExists();
        boolean nothingCopied = states.values().stream().noneMatch(s -> s.done() || !s.chunksDone().isEmpty());
        if (!streamProgress && nothingCopied && !slotExists) {
            // First start, or a first start that stopped before it created the slot.
            try (Connection connection = target.getConnection()) {
                for (SourceTable table : tables.values()) {
                    store.startTable(connection, table, 0, null);
                }
            }
            GreenlightConfig.Source src = sourceConfig;
            snapshot = ExportedSnapshot.createSlot(src.url().orElseThrow(), src.username().orElseThrow(),
                    src.password().orElse(null), src.slot());
            copiedAt.clear();
            pending.addAll(tables.keySet());
            LOG.infof("Created replication slot %s at %s; backfilling %d table(s) at its snapshot", src.slot(),
                    snapshot.lsn(), pending.size());
            return;
        }
        for (TableId table : tables.keySet()) {
            BackfillStore.TableState state = states.get(table);
            if (state == null || !state.done()) {
                pending.add(table);
            } else {
                progress.planned(table, state.chunksTotal(), state.rowsCopied(), state.chunksTotal(), state.rowsCopied());
                progress.done(table, state.rowsCopied());
            }
        }
        if (!pending.isEmpty()) {
            snapshot = ExportedSnapshot.fresh(source);
            LOG.infof("Backfill resumes: %d table(s) not finished before the last stop are copied again, whole, at a "
                    + "fresh snapshot (source LSN %s); apply skips their changes that copy already holds: %s",
                    pending.size(), snapshot.lsn(), pending);
        }
    }

    public boolean hasWork() {
        return !pending.isEmpty();
    }

    public BackfillProgress progress() {
        return progress;
    }



    /** Streamed changes a table's copy already contains (only tables copied at a fresh snapshot have any). */
    public Predicate<Change> alreadyCopied() {
        Map<TableId, TxSnapshot> snapshots = copiedAt; // live: run() adds the tables it copies at a fresh snapshot
        java.util.Set<TableId> told = java.util.concurrent.ConcurrentHashMap.newKeySet();
        return change -> {
            TxSnapshot copy = snapshots.get(change.table());
            boolean copied = copy != null && change.txId() != null && copy.sees(change.txId());
            if (copied && told.add(change.table())) {
                LOG.infof("Skipping streamed changes of %s from transactions its backfill copy holds (snapshot %s; "
                        + "first at %s)", change.table(), copy, change.coordinates());
            }
            return copied;
        };
    }

    /** Copies every pending table, {@code parallelism} chunks at a time; returns when all are on the target. */
    public void run() throws Exception {
        if (pending.isEmpty()) {
            return;
        }
        progress.running(true);
        long started = System.nanoTime();
        TxSnapshot contains = snapshot.contains().orElse(null);
        List<Chunk> chunks = new ArrayList<>();
        Map<TableId, AtomicInteger> remaining = new HashMap<>();
        Map<TableId, AtomicLong> rows = new HashMap<>();
        try (Connection src = source.getConnection(); Connection tgt = target.getConnection()) {
            for (TableId id : pending) {
                ChunkPlanner.Size size = planner.size(src, id);
                List<Chunk> plan = planner.plan(id, size.pages());
                store.startTable(tgt, tables.get(id), plan.size(), contains);
                if (contains != null) {
                    copiedAt.put(id, contains);
                }
                progress.planned(id, plan.size(), size.estimatedRows(), 0, 0);
                remaining.put(id, new AtomicInteger(plan.size()));
                rows.put(id, new AtomicLong());
                chunks.addAll(plan);
            }
        }
        // Interleave tables so that parallel workers spread over them.
        chunks.sort((a, b) -> a.index() != b.index() ? Integer.compare(a.index(), b.index()) : a.table().compareTo(b.table()));
        ExecutorService workers = Executors.newFixedThreadPool(config.parallelism(), r -> new Thread(r, "greenlight-backfill"));
        ExecutorCompletionService<Void> done = new ExecutorCompletionService<>(workers);
        try {
            for (Chunk chunk : chunks) {
                done.submit(() -> {
                    if (paused.containsKey(chunk.table())) {
                        return null; // a row of this table cannot be written: its other chunks wait for the restart
                    }
                    long n;
                    try {
                        n = copier.copy(tables.get(chunk.table()), chunk, snapshot);
                    } catch (BackfillException e) {
                        if (onPause == null) {
                            throw e; // greenlight.apply.on-error=stop-pipeline
                        }
                        pause(e);
                        return null;
                    }
                    meters.backfillRows(chunk.table().toString(), n);
                    progress.copied(chunk.table(), n);
                    long total = rows.get(chunk.table()).addAndGet(n);
                    if (remaining.get(chunk.table()).decrementAndGet() == 0) {
                        try (Connection tgt = target.getConnection()) {
                            store.finish(tgt, chunk.table(), total);
                        }
                        progress.done(chunk.table(), total);
                        LOG.infof("Backfill of %s done: %d rows", chunk.table(), total);
                    }
                    return null;
                });
            }
            for (int i = 0; i < chunks.size(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            workers.shutdownNow();
            progress.running(false);
        }
        long total = rows.values().stream().mapToLong(AtomicLong::get).sum();
        double seconds = (System.nanoTime() - started) / 1e9;
        LOG.infof("Backfill copied %d rows of %d table(s) in %.1f s (%.0f rows/s)", total, pending.size(), seconds,
                total / Math.max(seconds, 1e-9));
        if (!paused.isEmpty()) {
            LOG.errorf("Backfill left %d table(s) paused, each at a row the target cannot take: %s", paused.size(),
                    paused.keySet());
        }
        pending.clear();
        close();
    }

    /** The table stops being copied (its chunks done so far stay, it is copied again whole on restart); the rest goes on. */
    private void pause(BackfillException e) {
        if (paused.putIfAbsent(e.table(), e.getMessage()) == null) {
            LOG.errorf("Backfill of %s paused: %s", e.table(), e.getMessage());
            onPause.accept(e.table(), e.getMessage());
        }
    }

    /**
     * POST /tables/{table}/resume of a table the backfill paused: copies it again, whole, at a
     * fresh snapshot (multi-row inserts, one chunk at a time, on the caller's thread) while apply
     * still holds it; apply then skips its streamed changes the copy already holds. Throws
     * {@link BackfillException} when a row is still refused.
     */
    public void recopy(TableId id) throws SQLException, InterruptedException {
        SourceTable table = tables.get(id);
        ExportedSnapshot fresh = ExportedSnapshot.fresh(source);
        try {
            TxSnapshot contains = fresh.contains().orElseThrow();
            ChunkCopier plain = new ChunkCopier(source, target, false, dialect, store, config.batchRows(), throttle);
            plain.fencedBy(fence);
            List<Chunk> plan;
            try (Connection src = source.getConnection(); Connection tgt = target.getConnection()) {
                plan = planner.plan(id, planner.size(src, id).pages());
                store.startTable(tgt, table, plan.size(), contains);
            }
            copiedAt.put(id, contains);
            long total = 0;
            for (Chunk chunk : plan) {
                total += plain.copy(table, chunk, fresh);
            }
            try (Connection tgt = target.getConnection()) {
                store.finish(tgt, id, total);
            }
            paused.remove(id);
            LOG.infof("Backfill of %s copied again on resume at a fresh snapshot (source LSN %s): %d rows", id, fresh.lsn(), total);
        } finally {
            fresh.close();
            throttle.close(); // stops measuring the source until a copy asks again
        }
    }

    /** Tables the backfill paused, with the error naming the row, column and remedy; apply must hold them. */
    public Map<TableId, String> paused() {
        return Map.copyOf(paused);
    }

    /**
     * Connections allowed to stream LOAD DATA LOCAL from memory, when the dialect has a bulk load
     * and the server accepts local loads (MySQL 8 disables them by default: then multi-row inserts).
     */
    private static AgroalDataSource bulkPool(Dialect dialect, GreenlightConfig.Target target, int size) throws SQLException {
        String url = Dialect.connectionUrl(target.url().orElseThrow());
        if (dialect.bulkLoadUrl(url).equals(url)) {
            return null;
        }
        AgroalDataSource pool = DataSources.pool(dialect.bulkLoadUrl(url), target.username().orElseThrow(), target.password(),
                size, com.mysql.cj.jdbc.Driver.class, new MySQLExceptionSorter());
        try (Connection connection = pool.getConnection(); java.sql.Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT @@local_infile")) {
            if (rs.next() && rs.getInt(1) == 1) {
                return pool;
            }
        }
        LOG.infof("The target refuses LOAD DATA LOCAL (local_infile=OFF): the backfill writes multi-row inserts");
        pool.close();
        return null;
    }

    private boolean slotExists() throws SQLException {
        try (Connection connection = source.getConnection();
             PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, sourceConfig.slot());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public synchronized void close() {
        throttle.close();
        if (snapshot != null) {
            snapshot.close();
            snapshot = null;
        }
        if (loadPool != null) {
            loadPool.close();
        }
    }
}
