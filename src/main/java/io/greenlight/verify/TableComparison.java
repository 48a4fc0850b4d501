package io.greenlight.verify;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares one table. A keyed table whose values have one text on both engines is compared by key
 * ranges hashed inside the databases ({@link RangeComparison}); other keyed tables: both sides stream in primary-key order inside a REPEATABLE
 * READ snapshot; rows are cut into chunks of about {@code chunkSize} keys, each side's chunk is
 * hashed (SHA-256 over canonical rows) and only chunks whose hashes differ are compared row by
 * row. Keyless tables: compared as multisets (an order-independent sum of row hashes; when it
 * differs, a second pass in the same snapshot counts rows). Mismatched rows are then re-read on
 * both sides after the target caught up with the source, so in-flight changes are told apart.
 */
final class TableComparison {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(TableComparison.class);

    enum Kind { MISSING, EXTRA, DIFFERING }

    /** A mismatched row: its key (keyless tables: the row itself) and, if differing, the columns. */
    record Mismatch(Object[] key, Kind kind, List<String> columns) {
    }

    private final TableQueries q;
    private final VerifyOptions options;
    private final CatchUp catchUp;
    private final VerifyProgress progress;
    private final Deadline deadline;
    private final Checkpoints checkpoints;
    private final String name;
    private final List<Mismatch> mismatches = new ArrayList<>();
    /** Mismatches beyond options.recheckLimit(): counted, not kept, not re-checked. */
    private final long[] overflow = new long[Kind.values().length];
    private long sourceRows;
    private long targetRows;

    TableComparison(SourceTable table, Dialect target, VerifyOptions options, CatchUp catchUp, VerifyProgress progress,
                    Deadline deadline) {
        this(table, target, options, catchUp, progress, deadline, Checkpoints.NONE);
    }

    TableComparison(SourceTable table, Dialect target, VerifyOptions options, CatchUp catchUp, VerifyProgress progress,
                    Deadline deadline, Checkpoints checkpoints) {
        this.q = new TableQueries(table, target);
        this.checkpoints = checkpoints;
        this.options = options;
        this.catchUp = catchUp;
        this.progress = progress;
        this.deadline = deadline;
        this.name = table.id().toString();
    }

    /** Compares the table; throws {@link Deadline.TimedOut} when the verification's time is up first. */
    TableVerdict run(DataSource source, DataSource target) throws SQLException, InterruptedException, Deadline.TimedOut {
        deadline.check();
        progress.comparing(name);
        try {
            return compare(source, target);
        } catch (SQLException e) {
            if (deadline.expired()) { // a read cancelled because the time was up
                throw new Deadline.TimedOut();
            }
            throw e;
        }
    }

    private TableVerdict compare(DataSource source, DataSource target)
            throws SQLException, InterruptedException, Deadline.TimedOut {
        Optional<String> streamed = new RangeSql(q).unsupported();
        if (streamed.isEmpty()) {
            compareRanges(source, target);
        } else {
            if (q.keyed()) {
                LOG.infof("Verify %s: compared by streaming rows, not by key ranges hashed in the databases: %s", name,
                        streamed.get());
            }
            compareSnapshot(source, target);
        }
        long found = mismatches.size();
        long inFlight = 0;
        if (!mismatches.isEmpty()) {
            if (q.keyed()) {
                inFlight = recheckByKey(source, target);
            } else if (catchUp != CatchUp.NONE && catchUp.await(System.currentTimeMillis(), deadline.cap(options.catchUpTimeout()))) {
                // A keyless row cannot be re-read by key: compare the whole table again, once caught up.
                mismatches.clear();
                Arrays.fill(overflow, 0);
                compareSnapshot(source, target);
                inFlight = Math.max(0, found - mismatches.size());
            }
        }
        return verdict(inFlight);
    }

    private void compareRanges(DataSource source, DataSource target)
            throws SQLException, InterruptedException, Deadline.TimedOut {
        RangeComparison.Totals totals = new RangeComparison(q, options, progress, deadline, checkpoints).run(source, target);
        sourceRows = totals.sourceRows();
        targetRows = totals.targetRows();
        progress.counted(name, Math.max(sourceRows, targetRows));
        totals.mismatches().forEach(m -> record(m.key(), m.kind(), m.columns()));
        for (int k = 0; k < overflow.length; k++) {
            overflow[k] += totals.unchecked()[k];
        }
    }

    private void compareSnapshot(DataSource source, DataSource target) throws SQLException, Deadline.TimedOut {
        try (Connection s = source.getConnection(); Connection t = target.getConnection()) {
            // Pooled connections go back as they came: autocommit and isolation restored.
            boolean sAuto = s.getAutoCommit();
            boolean tAuto = t.getAutoCommit();
            int sIsolation = s.getTransactionIsolation();
            int tIsolation = t.getTransactionIsolation();
            snapshot(s);
            snapshot(t);
            try {
                sourceRows = count(s, q.sourceCount());
                targetRows = count(t, q.targetCount());
                progress.counted(name, Math.max(sourceRows, targetRows));
                if (q.keyed()) {
                    compareKeyed(s, t);
                } else {
                    compareKeyless(s, t);
                }
            } finally {
                end(s, sAuto, sIsolation);
                end(t, tAuto, tIsolation);
            }
        }
    }

    private static void snapshot(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
    }

    private static void end(Connection c, boolean autoCommit, int isolation) throws SQLException {
        c.rollback();
        c.setReadOnly(false);
        c.setTransactionIsolation(isolation);
        c.setAutoCommit(autoCommit);
    }

    private long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            deadline.reading(st);
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            } finally {
                deadline.done(st);
            }
        }
    }

    private void compareKeyed(Connection s, Connection t) throws SQLException, Deadline.TimedOut {
        int n = options.chunkSize();
        ArrayDeque<Object[]> sourceBuffer = new ArrayDeque<>(n);
        ArrayDeque<Object[]> targetBuffer = new ArrayDeque<>(n);
        String thread = Thread.currentThread().getName();
        try (RowStream sourceStream = new RowStream(s, q, false, n, deadline);
             RowStream targetStream = new RowStream(t, q, true, n, deadline);
             Prefetch src = new Prefetch(sourceStream, Math.min(n, 1000), thread + "-source");
             Prefetch tgt = new Prefetch(targetStream, Math.min(n, 1000), thread + "-target")) {
            while (true) {
                deadline.check();
                fill(src, sourceBuffer, n);
                fill(tgt, targetBuffer, n);
                if (sourceBuffer.isEmpty() && targetBuffer.isEmpty()) {
                    return;
                }
                // The chunk ends at the smaller last key of a full buffer: beyond it, either side may have more rows.
                Object[] boundary = null;
                if (sourceBuffer.size() == n) {
                    boundary = q.keyOf(sourceBuffer.peekLast());
                }
                if (targetBuffer.size() == n) {
                    Object[] last = q.keyOf(targetBuffer.peekLast());
                    if (boundary == null || q.compareKeys(last, boundary) < 0) {
                        boundary = last;
                    }
                }
                List<Object[]> sourceChunk = take(sourceBuffer, boundary);
                List<Object[]> targetChunk = take(targetBuffer, boundary);
                if (!Arrays.equals(hash(sourceChunk), hash(targetChunk))) {
                    diffChunk(sourceChunk, targetChunk);
                }
                progress.rowsCompared(name, Math.max(sourceChunk.size(), targetChunk.size()));
            }
        }
    }

    private static void fill(Prefetch stream, ArrayDeque<Object[]> buffer, int n) throws SQLException {
        Object[] row;
        while (buffer.size() < n && (row = stream.next()) != null) {
            buffer.add(row);
        }
    }

    private List<Object[]> take(ArrayDeque<Object[]> buffer, Object[] boundary) {
        List<Object[]> chunk = new ArrayList<>(buffer.size());
        while (!buffer.isEmpty() && (boundary == null || q.compareKeys(q.keyOf(buffer.peekFirst()), boundary) <= 0)) {
            chunk.add(buffer.pollFirst());
        }
        return chunk;
    }

    private static byte[] hash(List<Object[]> rows) {
        MessageDigest sha = sha256();
        for (Object[] row : rows) {
            sha.update(TableQueries.rowText(row).getBytes(StandardCharsets.UTF_8));
        }
        return sha.digest();
    }

    /** Both chunks are in key order: a merge finds missing, extra and differing rows. */
    private void diffChunk(List<Object[]> source, List<Object[]> target) {
        int i = 0;
        int j = 0;
        while (i < source.size() || j < target.size()) {
            int c = i == source.size() ? 1 : j == target.size() ? -1
                    : q.compareKeys(q.keyOf(source.get(i)), q.keyOf(target.get(j)));
            if (c < 0) {
                record(q.keyOf(source.get(i++)), Kind.MISSING, List.of());
            } else if (c > 0) {
                record(q.keyOf(target.get(j++)), Kind.EXTRA, List.of());
            } else {
                List<String> columns = q.differingColumns(source.get(i), target.get(j));
                if (!columns.isEmpty()) {
                    record(q.keyOf(source.get(i)), Kind.DIFFERING, columns);
                }
                i++;
                j++;
            }
        }
    }

    private void compareKeyless(Connection s, Connection t) throws SQLException, Deadline.TimedOut {
        long[] sourceHash = multisetHash(s, false);
        long[] targetHash = multisetHash(t, true);
        if (Arrays.equals(sourceHash, targetHash)) {
            return;
        }
        // Second pass in the same snapshots: count each distinct row (+1 source, -1 target).
        Map<String, Long> balance = new HashMap<>();
        try (RowStream src = new RowStream(s, q, false, options.chunkSize(), deadline)) {
            for (Object[] row; (row = src.next()) != null; ) {
                balance.merge(TableQueries.rowText(row), 1L, Long::sum);
            }
        }
        try (RowStream tgt = new RowStream(t, q, true, options.chunkSize(), deadline)) {
            for (Object[] row; (row = tgt.next()) != null; ) {
                balance.merge(TableQueries.rowText(row), -1L, Long::sum);
            }
        }
        balance.forEach((text, n) -> {
            for (long k = 0; k < Math.abs(n); k++) {
                record(new Object[]{text}, n > 0 ? Kind.MISSING : Kind.EXTRA, List.of());
            }
        });
    }

    /** Row count and an order-independent sum of row hashes (two 64-bit lanes of SHA-256). */
    private long[] multisetHash(Connection c, boolean targetSide) throws SQLException, Deadline.TimedOut {
        long[] acc = new long[3];
        MessageDigest sha = sha256();
        try (RowStream rows = new RowStream(c, q, targetSide, options.chunkSize(), deadline)) {
            for (Object[] row; (row = rows.next()) != null; ) {
                if (acc[0] % options.chunkSize() == 0) {
                    deadline.check();
                }
                byte[] d = sha.digest(TableQueries.rowText(row).getBytes(StandardCharsets.UTF_8));
                acc[0]++;
                acc[1] += java.nio.ByteBuffer.wrap(d, 0, 8).getLong();
                acc[2] += java.nio.ByteBuffer.wrap(d, 8, 8).getLong();
                if (!targetSide) {
                    progress.rowsCompared(name, 1);
                }
            }
        }
        return acc;
    }

    private void record(Object[] key, Kind kind, List<String> columns) {
        if (mismatches.size() < options.recheckLimit()) {
            mismatches.add(new Mismatch(key, kind, columns));
        } else {
            overflow[kind.ordinal()]++;
        }
    }

    /**
     * Re-reads each mismatched key: the source first, then (once the target has applied every
     * change committed before that read) the target. Keys that agree were in flight. Up to three
     * rounds while the target keeps catching up; returns how many rows were resolved.
     */
    private long recheckByKey(DataSource source, DataSource target)
            throws SQLException, InterruptedException, Deadline.TimedOut {
        int before = mismatches.size();
        List<Mismatch> open = new ArrayList<>(mismatches);
        int rounds = catchUp == CatchUp.NONE ? 1 : 3;
        for (int round = 0; round < rounds && !open.isEmpty(); round++) {
            deadline.check();
            List<Object[]> sourceRows = readByKey(source, open, false);
            boolean caughtUp = catchUp.await(System.currentTimeMillis(), deadline.cap(options.catchUpTimeout()));
            List<Object[]> targetRows = readByKey(target, open, true);
            List<Mismatch> still = new ArrayList<>();
            for (int i = 0; i < open.size(); i++) {
                Object[] sr = sourceRows.get(i);
                Object[] tr = targetRows.get(i);
                Object[] key = open.get(i).key();
                if (sr != null && tr == null) {
                    still.add(new Mismatch(key, Kind.MISSING, List.of()));
                } else if (sr == null && tr != null) {
                    still.add(new Mismatch(key, Kind.EXTRA, List.of()));
                } else if (sr != null) {
                    List<String> columns = q.differingColumns(sr, tr);
                    if (!columns.isEmpty()) {
                        still.add(new Mismatch(key, Kind.DIFFERING, columns));
                    }
                }
            }
            open = still;
            if (!caughtUp) {
                break;
            }
        }
        mismatches.clear();
        mismatches.addAll(open);
        return before - open.size();
    }

    private List<Object[]> readByKey(DataSource pool, List<Mismatch> keys, boolean targetSide)
            throws SQLException, Deadline.TimedOut {
        List<Object[]> rows = new ArrayList<>(keys.size());
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(targetSide ? q.targetByKey() : q.sourceByKey())) {
            deadline.reading(ps);
            try {
                readByKey(ps, keys, targetSide, rows);
            } finally {
                deadline.done(ps);
            }
        }
        return rows;
    }

    private void readByKey(PreparedStatement ps, List<Mismatch> keys, boolean targetSide, List<Object[]> rows)
            throws SQLException, Deadline.TimedOut {
        for (Mismatch m : keys) {
            if (rows.size() % 1000 == 0) {
                deadline.check();
            }
            for (int i = 0; i < q.key.length; i++) {
                ValueKind kind = q.kinds[q.key[i]];
                if (targetSide && !q.sameEngine) {
                    kind.bindTarget(ps, i + 1, m.key()[i]);
                } else {
                    ps.setString(i + 1, kind.sourceParameter(m.key()[i]));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rows.add(rs.next() ? q.read(rs, targetSide) : null);
            }
        }
    }

    private TableVerdict verdict(long inFlight) {
        long[] counts = overflow.clone();
        mismatches.forEach(m -> counts[m.kind().ordinal()]++);
        long missing = counts[Kind.MISSING.ordinal()];
        long extra = counts[Kind.EXTRA.ordinal()];
        long differing = counts[Kind.DIFFERING.ordinal()];
        List<RowSample> samples = new ArrayList<>();
        int[] shown = new int[Kind.values().length];
        for (Mismatch m : mismatches) {
            if (shown[m.kind().ordinal()]++ < options.sampleSize()) {
                samples.add(new RowSample(m.kind().name().toLowerCase(), show(m.key()), m.columns()));
            }
        }
        long mismatched = missing + extra + differing;
        StringBuilder detail = new StringBuilder();
        if (mismatched == 0) {
            detail.append("OK: ").append(sourceRows).append(" rows equal");
        } else {
            detail.append("MISMATCH: source ").append(sourceRows).append(" rows, target ").append(targetRows)
                    .append("; ").append(missing).append(" missing, ").append(extra).append(" extra, ")
                    .append(differing).append(" differing");
            for (Kind kind : Kind.values()) {
                List<String> shownKeys = samples.stream().filter(s -> s.kind().equals(kind.name().toLowerCase()))
                        .limit(5).map(RowSample::toString).toList();
                if (!shownKeys.isEmpty()) {
                    detail.append("; ").append(kind.name().toLowerCase()).append(": ").append(String.join(", ", shownKeys));
                }
            }
            long unchecked = Arrays.stream(overflow).sum();
            if (unchecked > 0) {
                detail.append("; ").append(unchecked).append(" beyond the first ").append(options.recheckLimit())
                        .append(" were not re-checked");
            }
        }
        if (inFlight > 0) {
            detail.append("; ").append(inFlight).append(" row(s) differed only while changes were in flight");
        }
        return new TableVerdict(q.table.id().toString(), sourceRows, targetRows, mismatched, detail.toString(),
                missing, extra, differing, inFlight, samples);
    }

    private String show(Object[] key) {
        if (q.keyed()) {
            return q.showKey(key);
        }
        String row = (String) key[0];
        return "row " + (row.length() > 200 ? row.substring(0, 200) + "…" : row);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
