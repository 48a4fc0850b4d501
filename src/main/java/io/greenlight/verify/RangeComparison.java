package io.greenlight.verify;

import io.greenlight.verify.TableComparison.Kind;
import io.greenlight.verify.TableComparison.Mismatch;

import javax.sql.DataSource;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compares a keyed table by key ranges hashed inside the databases ({@link RangeSql}): the source
 * names every {@code chunkSize}-th key, each range's count and hash are computed on both sides, and
 * only ranges whose hashes differ are read and compared row by row (the same canonical comparison
 * as a full scan, so the mismatches found are the same). Ranges run {@code rangeParallelism} at a
 * time, each worker holding one source and one target connection. Mismatches are kept in key order
 * whatever order ranges finish in; each time the compared prefix of ranges grows, a
 * {@link TableCheckpoint} is reported (at most once per {@link Checkpoints#every}, and when the comparison stops part way).
 */
final class RangeComparison {

    /** What the ranges found, in key order: the table's counts, mismatches up to the re-check limit, the rest counted. */
    record Totals(long sourceRows, long targetRows, List<Mismatch> mismatches, long[] unchecked) {
    }

    private record Range(Object[] lower, Object[] upper) {
    }

    private record Result(long sourceRows, long targetRows, List<Mismatch> mismatches, long[] unchecked) {
    }

    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private final TableQueries q;
    private final RangeSql sql;
    private final VerifyOptions options;
    private final VerifyProgress progress;
    private final Deadline deadline;
    private final String name;
    private final Checkpoints checkpoints;

    // The compared prefix of ranges (guarded by this).
    private List<Range> ranges;
    private Result[] results;
    private int prefix;
    private long sourceRows;
    private long targetRows;
    private final List<Mismatch> mismatches = new ArrayList<>();
    private final long[] unchecked = new long[Kind.values().length];
    private Object[] after;
    private long lastCheckpoint;
    private boolean unreported;

    RangeComparison(TableQueries q, VerifyOptions options, VerifyProgress progress, Deadline deadline, Checkpoints checkpoints) {
        this.q = q;
        this.sql = new RangeSql(q);
        this.options = options;
        this.progress = progress;
        this.deadline = deadline;
        this.name = q.table.id().toString();
        this.checkpoints = checkpoints;
    }

    Totals run(DataSource source, DataSource target) throws SQLException, InterruptedException, Deadline.TimedOut {
        checkpoints.startOf(name).filter(c -> c.after().size() == q.key.length).ifPresent(this::continueFrom);
        List<Range> ranges = ranges(source);
        synchronized (this) {
            this.ranges = ranges;
            results = new Result[ranges.size()];
        }
        lastCheckpoint = System.nanoTime();
        int workers = Math.max(1, Math.min(options.rangeParallelism(), ranges.size()));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger threads = new AtomicInteger();
        String thread = Thread.currentThread().getName();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, thread + "-range-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    work(source, target, ranges, next);
                    return null;
                }));
            }
            Throwable failure = null;
            for (Future<Void> f : futures) { // every worker ends (and gives its connections back) before this returns
                try {
                    f.get();
                } catch (ExecutionException e) {
                    next.set(ranges.size()); // the other workers stop after their current range
                    failure = failure == null ? e.getCause() : failure;
                }
            }
            if (failure instanceof Deadline.TimedOut timedOut) {
                throw timedOut;
            }
            if (failure instanceof SQLException sqlException) {
                throw sqlException;
            }
            if (failure != null) {
                throw new SQLException(failure.getMessage(), failure);
            }
        } finally {
            pool.shutdownNow();
            synchronized (this) {
                if (results != null && prefix < results.length && unreported) { // stopped part way: keep what was compared
                    checkpoints.onAdvance().accept(checkpoint());
                }
            }
        }
        return new Totals(sourceRows, targetRows, List.copyOf(mismatches), unchecked.clone());
    }

    /** An earlier attempt's progress: its counts and mismatches, and the key to continue after. */
    private void continueFrom(TableCheckpoint c) {
        after = new Object[q.key.length];
        for (int i = 0; i < after.length; i++) {
            after[i] = Long.parseLong(c.after().get(i));
        }
        sourceRows = c.sourceRows();
        targetRows = c.targetRows();
        for (TableCheckpoint.SavedMismatch m : c.mismatches()) {
            mismatches.add(new Mismatch(m.key().stream().map(Long::parseLong).toArray(), Kind.valueOf(m.kind()), m.columns()));
        }
        for (int i = 0; i < unchecked.length && i < c.unchecked().size(); i++) {
            unchecked[i] = c.unchecked().get(i);
        }
        progress.resumed(name, Math.max(sourceRows, targetRows));
    }

    /** Ranges after {@link #after}: up to each {@code chunkSize}-th source key, the last one open. */
    private List<Range> ranges(DataSource source) throws SQLException {
        List<Object[]> bounds = new ArrayList<>();
        try (Connection c = source.getConnection();
             PreparedStatement ps = c.prepareStatement(sql.sourceBoundaries(after != null, options.chunkSize()))) {
            sql.bind(ps, after, null);
            deadline.reading(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] key = new Object[q.key.length];
                    for (int i = 0; i < key.length; i++) {
                        key[i] = rs.getLong(i + 1);
                    }
                    bounds.add(key);
                }
            } finally {
                deadline.done(ps);
            }
        }
        List<Range> ranges = new ArrayList<>(bounds.size() + 1);
        Object[] lower = after;
        for (Object[] upper : bounds) {
            ranges.add(new Range(lower, upper));
            lower = upper;
        }
        ranges.add(new Range(lower, null));
        return ranges;
    }

    private void work(DataSource source, DataSource target, List<Range> ranges, AtomicInteger next)
            throws SQLException, Deadline.TimedOut, InterruptedException {
        String thread = Thread.currentThread().getName();
        ExecutorService sourceSide = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, thread + "-source");
            t.setDaemon(true);
            return t;
        });
        try (Connection s = source.getConnection(); Connection t = target.getConnection()) {
            boolean sAuto = s.getAutoCommit();
            boolean tAuto = t.getAutoCommit();
            begin(s);
            begin(t);
            try {
                for (int r; (r = next.getAndIncrement()) < ranges.size(); ) {
                    deadline.check();
                    Result result;
                    try {
                        result = compare(s, t, ranges.get(r), sourceSide);
                    } catch (SQLException e) {
                        throw new SQLException("comparing the key range " + show(ranges.get(r)) + ": " + e.getMessage(),
                                e.getSQLState(), e);
                    }
                    s.rollback(); // each range reads in a fresh snapshot
                    t.rollback();
                    done(r, result);
                }
            } finally {
                end(s, sAuto);
                end(t, tAuto);
            }
        } finally {
            sourceSide.shutdownNow();
        }
    }

    /** {@code (id=100 .. id=200]}: a range as the errors name it. */
    private String show(Range range) {
        return "(" + (range.lower() == null ? "start" : q.showKey(range.lower())) + " .. "
                + (range.upper() == null ? "end" : q.showKey(range.upper())) + "]";
    }

    private static void begin(Connection c) throws SQLException {
        c.setAutoCommit(false); // PostgreSQL reads a range with a cursor only inside a transaction
        c.setReadOnly(true);
    }

    private static void end(Connection c, boolean autoCommit) throws SQLException {
        c.rollback();
        c.setReadOnly(false);
        c.setAutoCommit(autoCommit);
    }

    /** Both sides hash the range at the same time (the source on the worker's second thread); rows are read only if they differ. */
    private Result compare(Connection s, Connection t, Range range, ExecutorService sourceSide)
            throws SQLException, InterruptedException {
        boolean lower = range.lower() != null;
        boolean upper = range.upper() != null;
        Future<BigInteger[]> sourceHash = sourceSide.submit(() -> hash(s, sql.sourceHash(lower, upper), range));
        BigInteger[] target;
        try {
            target = hash(t, sql.targetHash(lower, upper), range);
        } catch (SQLException | RuntimeException e) {
            try { // the source connection is free again only once its read ended
                sourceHash.get();
            } catch (ExecutionException ignored) {
                // the target's failure is the one reported
            }
            throw e;
        }
        BigInteger[] source;
        try {
            source = sourceHash.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException sqlException ? sqlException
                    : new SQLException(e.getCause().getMessage(), e.getCause());
        }
        if (Arrays.equals(source, target)) {
            return new Result(source[0].longValueExact(), target[0].longValueExact(), List.of(), new long[Kind.values().length]);
        }
        return diff(s, t, range);
    }

    /** Count and hash sum modulo 2^64 (PostgreSQL sums the bits as signed, MySQL as unsigned integers). */
    private BigInteger[] hash(Connection c, String statement, Range range) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement)) {
            sql.bind(ps, range.lower(), range.upper());
            deadline.reading(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new BigInteger[]{rs.getBigDecimal(1).toBigIntegerExact(),
                        rs.getBigDecimal(2).toBigIntegerExact().mod(TWO_TO_64)};
            } finally {
                deadline.done(ps);
            }
        }
    }

    /** Both sides of the range in key order, merged: missing, extra and differing rows, as a full scan finds them. */
    private Result diff(Connection s, Connection t, Range range) throws SQLException {
        boolean lower = range.lower() != null;
        boolean upper = range.upper() != null;
        List<Mismatch> found = new ArrayList<>();
        long[] over = new long[Kind.values().length];
        long sourceCount = 0;
        long targetCount = 0;
        try (PreparedStatement sp = rows(s, sql.sourceRows(lower, upper), range, options.chunkSize());
             PreparedStatement tp = rows(t, sql.targetRows(lower, upper), range,
                     q.sameEngine ? options.chunkSize() : Integer.MIN_VALUE)) {
            try (ResultSet srs = sp.executeQuery(); ResultSet trs = tp.executeQuery()) {
                Object[] sr = srs.next() ? q.read(srs, false) : null;
                Object[] tr = trs.next() ? q.read(trs, true) : null;
                while (sr != null || tr != null) {
                    int c = sr == null ? 1 : tr == null ? -1 : q.compareKeys(q.keyOf(sr), q.keyOf(tr));
                    if (c < 0) {
                        add(found, over, new Mismatch(q.keyOf(sr), Kind.MISSING, List.of()));
                    } else if (c > 0) {
                        add(found, over, new Mismatch(q.keyOf(tr), Kind.EXTRA, List.of()));
                    } else {
                        List<String> columns = q.differingColumns(sr, tr);
                        if (!columns.isEmpty()) {
                            add(found, over, new Mismatch(q.keyOf(sr), Kind.DIFFERING, columns));
                        }
                    }
                    if (c <= 0) {
                        sourceCount++;
                        sr = srs.next() ? q.read(srs, false) : null;
                    }
                    if (c >= 0) {
                        targetCount++;
                        tr = trs.next() ? q.read(trs, true) : null;
                    }
                }
            } finally {
                deadline.done(sp);
                deadline.done(tp);
            }
        }
        return new Result(sourceCount, targetCount, found, over);
    }

    private PreparedStatement rows(Connection c, String statement, Range range, int fetchSize) throws SQLException {
        PreparedStatement ps = c.prepareStatement(statement, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        ps.setFetchSize(fetchSize);
        sql.bind(ps, range.lower(), range.upper());
        deadline.reading(ps);
        return ps;
    }

    private void add(List<Mismatch> found, long[] over, Mismatch m) {
        if (found.size() < options.recheckLimit()) {
            found.add(m);
        } else {
            over[m.kind().ordinal()]++;
        }
    }

    /** A range is compared: the prefix of compared ranges grows over every range now done in a row. */
    private synchronized void done(int index, Result result) {
        progress.rowsCompared(name, Math.max(result.sourceRows(), result.targetRows()));
        results[index] = result;
        while (prefix < results.length && results[prefix] != null) {
            Result r = results[prefix];
            results[prefix] = null;
            prefix++;
            sourceRows += r.sourceRows();
            targetRows += r.targetRows();
            for (Mismatch m : r.mismatches()) {
                add(mismatches, unchecked, m);
            }
            for (int k = 0; k < unchecked.length; k++) {
                unchecked[k] += r.unchecked()[k];
            }
            unreported = true;
        }
        if (prefix > 0 && prefix < results.length) {
            after = ranges.get(prefix - 1).upper();
        }
        if (unreported && prefix < results.length && System.nanoTime() - lastCheckpoint >= checkpoints.every().toNanos()) {
            checkpoints.onAdvance().accept(checkpoint());
        }
    }

    private TableCheckpoint checkpoint() {
        lastCheckpoint = System.nanoTime();
        unreported = false;
        List<TableCheckpoint.SavedMismatch> saved = mismatches.stream().map(m -> new TableCheckpoint.SavedMismatch(
                m.kind().name(), Arrays.stream(m.key()).map(String::valueOf).toList(), m.columns())).toList();
        return new TableCheckpoint(name, Arrays.stream(after).map(String::valueOf).toList(), sourceRows, targetRows, saved,
                Arrays.stream(unchecked).boxed().toList());
    }
}
