package io.greenlight.backfill;

import io.greenlight.dialect.ColumnBinding;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.dialect.LossyValueException;
import io.greenlight.dialect.TabSeparatedRows;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Copies one chunk: reads its rows on the source inside a REPEATABLE READ transaction that
 * imports the backfill's snapshot, binds each value through the target dialect (the same binding,
 * checks and lossy policy as apply), writes them and records the chunk done, all in one target
 * transaction: a chunk is on the target whole or not at all. Where the target has a bulk load
 * (LOAD DATA, COPY FROM) the chunk is read with COPY TO STDOUT and values the target takes as
 * text pass through unparsed; otherwise it is read through a result set and written in
 * multi-row batches.
 */
final class ChunkCopier {

    /** Flush a bulk load at this many bytes of rendered rows. */
    private static final int LOAD_BYTES = 4 << 20;
    /**
     * MySQL/MariaDB errors for a value the column cannot take (incorrect value, data too long, out of
     * range, truncated, check constraint), some of which Connector/J reports with SQLSTATE HY000.
     */
    private static final Set<Integer> REFUSED_VALUE_CODES = Set.of(1366, 1406, 1264, 1292, 1265, 4025, 3819);

    private final DataSource source;
    private final DataSource target;
    private final Dialect dialect;
    private final BackfillStore store;
    private final int batchRows;
    private volatile io.greenlight.leader.Fence fence = io.greenlight.leader.Fence.NONE;

    private final boolean bulk;
    private final CopyThrottle throttle;

    /**
     * @param bulk whether {@code target}'s connections may run the dialect's bulk load (LOAD DATA LOCAL)
     * @param throttle asked before each batch of rows is read
     */
    ChunkCopier(DataSource source, DataSource target, boolean bulk, Dialect dialect, BackfillStore store, int batchRows,
                CopyThrottle throttle) {
        this.bulk = bulk;
        this.throttle = throttle;
        this.source = source;
        this.target = target;
        this.dialect = dialect;
        this.store = store;
        this.batchRows = batchRows;
    }

    /** The columns the backfill writes: generated columns are not published by pgoutput, so never written. */
    static List<ColumnReader> readers(SourceTable table) {
        return table.columns().stream().filter(c -> !c.generated()).map(ColumnReader::new).toList();
    }

    /** The leader's fencing token, checked in each chunk's target transaction before it is recorded done. */
    void fencedBy(io.greenlight.leader.Fence fence) {
        this.fence = fence;
    }

    /** Copies the chunk and returns its row count. */
    long copy(SourceTable table, Chunk chunk, ExportedSnapshot snapshot) throws SQLException, InterruptedException {
        List<ColumnReader> columns = readers(table);
        List<String> names = columns.stream().map(c -> c.column().name()).toList();
        String select = "SELECT " + columns.stream().map(ColumnReader::projection).collect(Collectors.joining(", "))
                + " FROM " + table.id().quoted() + " WHERE " + chunk.ctidCondition();
        try (Connection src = source.getConnection(); Connection tgt = target.getConnection()) {
            src.setAutoCommit(false);
            tgt.setAutoCommit(false);
            List<ColumnBinding> bindings = columns.stream().map(c -> dialect.binding(table, c.column())).toList();
            try {
                begin(src, snapshot);
                long rows = 0;
                Optional<String> bulk = this.bulk ? dialect.bulkLoad(table, names) : Optional.empty();
                if (bulk.isPresent() && columns.stream().allMatch(ColumnReader::readsText)) {
                    rows = copyOut(src, tgt, bulk.get(), select, table, columns, bindings, chunk, snapshot);
                } else try (PreparedStatement read = src.prepareStatement(select);
                     PreparedStatement write = bulk.isPresent() ? null : tgt.prepareStatement(dialect.backfillInsert(table, names))) {
                    read.setFetchSize(Math.max(batchRows, 1000));
                    if (bulk.isPresent()) {
                        rows = load(read, tgt, bulk.get(), table, columns, bindings, chunk, snapshot);
                    } else try (ResultSet rs = read.executeQuery()) {
                        int pending = 0;
                        ColumnReader.Value[] values = new ColumnReader.Value[columns.size()];
                        while (rs.next()) {
                            if (pending == 0) {
                                throttle.acquire(batchRows);
                            }
                            read(rs, table, columns, values, snapshot);
                            for (int i = 0; i < values.length; i++) {
                                try {
                                    bindings.get(i).bind(write, i + 1, values[i].schema(), values[i].value());
                                } catch (RuntimeException e) {
                                    throw refused(e, table, columns, i, text(rs), snapshot);
                                }
                            }
                            write.addBatch();
                            rows++;
                            if (++pending == batchRows) {
                                execute(write, table, chunk, snapshot);
                                pending = 0;
                            }
                        }
                        if (pending > 0) {
                            execute(write, table, chunk, snapshot);
                        }
                    }
                }
                fence.check(tgt); // held until the commit: a leader that lost the lease commits no chunk
                store.chunkDone(tgt, chunk, rows);
                tgt.commit();
                src.commit();
                return rows;
            } catch (SQLException | RuntimeException | InterruptedException e) {
                rollbackQuietly(tgt);
                rollbackQuietly(src);
                if (e instanceof SQLException sql && refusedValue(sql)) {
                    BackfillException row = findRefusedRow(src, tgt, select, names, table, columns, bindings, snapshot);
                    if (row != null) {
                        throw row;
                    }
                }
                throw e;
            } finally {
                fence.after(tgt);
                src.setAutoCommit(true);
                tgt.setAutoCommit(true);
            }
        }
    }

    /** Starts the source transaction at the backfill's snapshot, in the session settings ColumnReader reads. */
    private static void begin(Connection src, ExportedSnapshot snapshot) throws SQLException {
        try (Statement st = src.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            st.execute("SET TRANSACTION SNAPSHOT '" + snapshot.name() + "'"); // checked: hex digits and dashes
            st.execute("SET LOCAL TimeZone = 'UTC'");
            st.execute("SET LOCAL DateStyle = 'ISO, YMD'");
            st.execute("SET LOCAL IntervalStyle = 'postgres'");
            st.execute("SET LOCAL bytea_output = 'hex'");
            st.execute("SET LOCAL extra_float_digits = 3"); // shortest exact text of floats, as the driver's sessions have
        }
    }

    /**
     * Reads the chunk with {@code COPY (SELECT …) TO STDOUT} (text format: no driver decoding of
     * rows) and bulk-loads it in slices of about LOAD_BYTES. A value whose binding takes the
     * source's text as is is passed through byte for byte; every other value is read from its text
     * into the representation the result-set path gives it and bound exactly as there (same checks,
     * same lossy policy).
     */
    private long copyOut(Connection src, Connection tgt, String sql, String select, SourceTable table,
                         List<ColumnReader> columns, List<ColumnBinding> bindings, Chunk chunk, ExportedSnapshot snapshot)
            throws SQLException, InterruptedException {
        int count = columns.size();
        ColumnBinding[] binding = bindings.toArray(new ColumnBinding[0]);
        TabSeparatedRows rendered = dialect.bulkRows(LOAD_BYTES + LOAD_BYTES / 4);
        CopyTextRow row = new CopyTextRow(count);
        CopyOut out = src.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + select + ") TO STDOUT");
        long rows = 0;
        try {
            for (byte[] bytes = out.readFromCopy(); bytes != null; bytes = out.readFromCopy()) {
                if (rows % batchRows == 0) {
                    throttle.acquire(batchRows);
                }
                row.parse(bytes);
                for (int i = 0; i < count; i++) {
                    if (binding[i].sourceText(bytes, row.start(i), row.end(i), rendered)) {
                        continue;
                    }
                    Object bound;
                    try {
                        ColumnReader.Value value = columns.get(i).fromText(row.text(i));
                        bound = binding[i].value(value.schema(), value.value());
                    } catch (SQLException | RuntimeException e) {
                        throw refused(e, table, columns, i, row::text, snapshot);
                    }
                    rendered.value(bound);
                }
                rendered.endRow();
                rows++;
                if (rendered.bytes() >= LOAD_BYTES) {
                    loadSlice(tgt, sql, rendered, table, chunk, snapshot);
                }
            }
        } finally {
            if (out.isActive()) {
                drain(out, src);
            }
        }
        if (rendered.rows() > 0) {
            loadSlice(tgt, sql, rendered, table, chunk, snapshot);
        }
        return rows;
    }

    /**
     * Whether the target refused a value (data exceptions, constraint violations, MySQL's strict-mode
     * errors), as opposed to a failure of the connection or the server.
     */
    static boolean refusedValue(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                    return true;
                }
                // incorrect string / integer / datetime value, data too long, out of range (Connector/J reports HY000 for some)
                if (REFUSED_VALUE_CODES.contains(sql.getErrorCode())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Writes the chunk's rows again one by one, in a transaction that is rolled back, to name the
     * row the target refuses (a batch error names at best a run of rows). Null if every row goes in alone.
     */
    private BackfillException findRefusedRow(Connection src, Connection tgt, String select, List<String> names, SourceTable table,
                                             List<ColumnReader> columns, List<ColumnBinding> bindings, ExportedSnapshot snapshot)
            throws SQLException {
        try {
            begin(src, snapshot);
            ColumnReader.Value[] values = new ColumnReader.Value[columns.size()];
            try (PreparedStatement read = src.prepareStatement(select);
                 PreparedStatement write = tgt.prepareStatement(dialect.backfillInsert(table, names));
                 ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    read(rs, table, columns, values, snapshot);
                    for (int i = 0; i < values.length; i++) {
                        bindings.get(i).bind(write, i + 1, values[i].schema(), values[i].value());
                    }
                    try {
                        write.executeUpdate();
                    } catch (SQLException e) {
                        if (!refusedValue(e)) {
                            throw e;
                        }
                        return new BackfillException(table.id(), "Table " + table.id() + ", key " + key(table, columns, text(rs))
                                + ", in the backfill at snapshot LSN " + snapshot.lsn() + ": the target refused the row: "
                                + e.getMessage() + ". Table " + table.id() + " paused (the other tables go on); its copy is "
                                + "incomplete. Widen or fix the target column (or fix the value on the source), then POST /tables/"
                                + table.id() + "/resume (or restart Greenlight): the table is copied again, whole, at a fresh "
                                + "snapshot.", e);
                    }
                }
            }
            return null;
        } finally {
            rollbackQuietly(tgt);
            rollbackQuietly(src);
        }
    }

    /** Reads the chunk, converts each row as binding would and bulk-loads it in slices of about LOAD_BYTES. */
    private long load(PreparedStatement read, Connection tgt, String sql, SourceTable table, List<ColumnReader> columns,
                      List<ColumnBinding> bindings, Chunk chunk, ExportedSnapshot snapshot)
            throws SQLException, InterruptedException {
        ColumnReader.Value[] values = new ColumnReader.Value[columns.size()];
        Object[] bound = new Object[columns.size()];
        TabSeparatedRows rendered = dialect.bulkRows(LOAD_BYTES + LOAD_BYTES / 4);
        long rows = 0;
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                if (rows % batchRows == 0) {
                    throttle.acquire(batchRows);
                }
                read(rs, table, columns, values, snapshot);
                for (int i = 0; i < values.length; i++) {
                    try {
                        bound[i] = bindings.get(i).value(values[i].schema(), values[i].value());
                    } catch (RuntimeException e) {
                        throw refused(e, table, columns, i, text(rs), snapshot);
                    }
                }
                rendered.add(bound);
                rows++;
                if (rendered.bytes() >= LOAD_BYTES) {
                    loadSlice(tgt, sql, rendered, table, chunk, snapshot);
                }
            }
        }
        if (rendered.rows() > 0) {
            loadSlice(tgt, sql, rendered, table, chunk, snapshot);
        }
        return rows;
    }

    /**
     * Reads the rest of a COPY that a refused value or a failed load interrupted, so that the
     * connection can roll back and name the refused row; a connection that cannot is closed (the
     * pool then discards it) rather than handed back in the middle of a COPY.
     */
    private static void drain(CopyOut out, Connection src) {
        try {
            while (out.readFromCopy() != null) {
                // discarded
            }
        } catch (SQLException | RuntimeException e) {
            try {
                ((Connection) src.unwrap(PGConnection.class)).close();
            } catch (SQLException | RuntimeException ignored) {
                // already broken
            }
        }
    }

    private static void loadSlice(Connection tgt, String sql, TabSeparatedRows rendered, SourceTable table, Chunk chunk,
                                  ExportedSnapshot snapshot) throws SQLException {
        try {
            TargetLoad.load(tgt, sql, rendered);
        } catch (SQLException e) {
            throw new SQLException(e.getMessage() + " (backfill of " + table.id() + ", chunk " + chunk.index()
                    + ", snapshot LSN " + snapshot.lsn() + ")", e.getSQLState(), e.getErrorCode(), e);
        }
        rendered.clear();
    }

    private static void read(ResultSet rs, SourceTable table, List<ColumnReader> columns, ColumnReader.Value[] values,
                             ExportedSnapshot snapshot) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            try {
                values[i] = columns.get(i).read(rs, i + 1);
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                    throw e; // the source connection failed, not the value
                }
                throw refused(e, table, columns, i, text(rs), snapshot);
            } catch (RuntimeException e) {
                throw refused(e, table, columns, i, text(rs), snapshot);
            }
        }
    }

    /**
     * Why column i of the row cannot be written, naming the column, the row's key and the snapshot,
     * and what to do: the backfill pauses the table and copies the others.
     */
    private static BackfillException refused(Exception e, SourceTable table, List<ColumnReader> columns, int i,
                                             IntFunction<String> row, ExportedSnapshot snapshot) {
        SourceColumn column = columns.get(i).column();
        String ref = LossyPolicy.columnRef(table.id(), column.name());
        String where = "Column " + ref + " (" + column.formatted() + "), key " + key(table, columns, row)
                + ", in the backfill at snapshot LSN " + snapshot.lsn() + ": ";
        String paused = " Table " + table.id() + " paused (the other tables go on); its copy is incomplete. ";
        String resume = "POST /tables/" + table.id() + "/resume (or restart Greenlight)";
        String again = ": the table is copied again, whole, at a fresh snapshot.";
        if (e instanceof LossyValueException lossy) {
            String remedy = lossy.acceptable()
                    ? "Accept the loss with " + LossyPolicy.KEY + "=" + ref + " and restart Greenlight, or widen the target "
                    + "column and " + resume + again
                    : "Accepting the loss cannot help here: widen the target column (or change the value on the source), then "
                    + resume + again;
            return new BackfillException(table.id(), where + e.getMessage() + "." + paused + remedy, e);
        }
        return new BackfillException(table.id(), where + "the value cannot be read or converted for the target: "
                + e.getMessage() + "." + paused + "Fix the value on the source or the target column, then " + resume + again, e);
    }

    /** The row's identity for messages, as text: its key columns, or every column of a keyless row. */
    private static Map<String, Object> key(SourceTable table, List<ColumnReader> columns, IntFunction<String> row) {
        Map<String, Object> key = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i).column().name();
            if (table.identityColumns().contains(name)) {
                key.put(name, row.apply(i));
            }
        }
        return key;
    }

    /** The text of a result set's column i (0-based) for messages. */
    private static IntFunction<String> text(ResultSet rs) {
        return i -> {
            try {
                return rs.getString(i + 1);
            } catch (SQLException e) {
                return "?";
            }
        };
    }

    /** Keeps the SQL state (a lost connection stays recognizable) and adds where it happened. */
    private static void execute(PreparedStatement write, SourceTable table, Chunk chunk, ExportedSnapshot snapshot)
            throws SQLException {
        try {
            write.executeBatch();
        } catch (SQLException e) {
            throw new SQLException(e.getMessage() + " (backfill of " + table.id() + ", chunk " + chunk.index()
                    + ", snapshot LSN " + snapshot.lsn() + ")", e.getSQLState(), e.getErrorCode(), e);
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // a broken connection is discarded by the pool
        }
    }
}
