package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.dialect.LossyValueException;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a batch of changes through the dialect on one connection (the caller owns the
 * transaction). Changes keep their order; consecutive changes of the same statement shape share
 * one JDBC batch, which the MySQL driver sends as one multi-row statement.
 */
public final class BatchWriter {

    private final Dialect dialect;
    private final Map<TableId, SourceTable> tables;
    private final SchemaEvolution evolution;
    private final NumericResize numbers;
    /** Statements of the batch being written that must each find their row (see {@link Step#existingRow}). */
    private final Set<String> updates = new java.util.HashSet<>();
    /** The row schema each table's model was last reconciled with; a different one means source DDL. */
    private final Map<TableId, Schema> reconciled = new ConcurrentHashMap<>();

    public BatchWriter(Dialect dialect, Map<TableId, SourceTable> tables, SchemaEvolution evolution) {
        this.dialect = dialect;
        this.tables = new ConcurrentHashMap<>(tables);
        this.evolution = evolution;
        this.numbers = new NumericResize(dialect);
    }

    /**
     * Bumped whenever a target table was altered: statements are prepared with it in a comment, so no
     * pooled connection reuses one it prepared before (PostgreSQL fixes a prepared statement's
     * parameter types, e.g. smallint for a column widened to bigint since).
     */
    private volatile int schemaEpoch;

    /** POST /tables/{table}/resume: a source DDL that stopped the table is taken as the target table stands. */
    public void resumed(TableId table) {
        if (evolution != null) {
            evolution.resumed(table);
        }
    }

    /** The table models as they are now, after any schema evolution. */
    public Map<TableId, SourceTable> tables() {
        return Map.copyOf(tables);
    }

    /**
     * The batch cut where a change would commit the transaction behind the caller's back: source
     * DDL followed on the target ({@link SchemaEvolution} commits it) starts a new part, and a
     * TRUNCATE the target commits implicitly is a part of its own. Each part is then written and
     * committed with its own offsets, so no change becomes durable without its position.
     */
    public List<List<Change>> transactions(List<Change> batch) {
        List<List<Change>> parts = new ArrayList<>();
        Map<TableId, Schema> seen = new HashMap<>(reconciled);
        List<Change> part = new ArrayList<>();
        for (Change change : batch) {
            Struct row = change.after() != null ? change.after() : change.before();
            boolean evolves = evolution != null && row != null && !row.schema().equals(seen.get(change.table()));
            // Source DDL is written alone: its target DDL commits (implicitly on MySQL), then its offsets.
            boolean alone = change.isDdl() && evolution != null
                    || change.op() == ChangeOp.TRUNCATE && dialect.truncateCommitsImplicitly();
            if ((evolves || alone) && !part.isEmpty()) {
                parts.add(part);
                part = new ArrayList<>();
            }
            if (evolves) {
                seen.put(change.table(), row.schema());
            }
            part.add(change);
            if (alone) {
                parts.add(part);
                part = new ArrayList<>();
            }
        }
        if (!part.isEmpty() || parts.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }

    public void write(Connection connection, List<Change> batch) throws SQLException {
        List<Change> changes = KeyMoves.pair(batch, tables);
        Map<String, PreparedStatement> statements = new HashMap<>();
        updates.clear();
        try {
            String runSql = null;
            List<Change> run = new ArrayList<>();
            for (Change change : changes) {
                SourceTable table = table(change);
                if (change.isDdl()) {
                    flush(runSql, run, statements);
                    run.clear();
                    runSql = null;
                    closeAll(statements); // prepared for the table as it was
                    if (evolution != null) {
                        SourceTable followed = evolution.follow(connection, table, change);
                        if (followed == null) {
                            tables.remove(table.id()); // dropped on the source and the target
                        } else {
                            tables.put(table.id(), followed);
                        }
                        schemaEpoch++;
                    }
                    continue;
                }
                Struct row = change.after() != null ? change.after() : change.before();
                if (evolution != null && row != null && !row.schema().equals(reconciled.get(table.id()))) {
                    flush(runSql, run, statements);
                    run.clear();
                    runSql = null;
                    SourceTable before = table;
                    table = evolution.reconcile(connection, table, row, change);
                    if (!table.equals(before)) {
                        schemaEpoch++;
                    }
                    tables.put(table.id(), table);
                    reconciled.put(table.id(), row.schema());
                }
                NumericResize.Fit sized = row == null ? null : numbers.fit(connection, table, row);
                if (sized != null && sized.table() != table) {
                    List<String> ddl = numbers.ddl(table, sized);
                    if (!ddl.isEmpty()) {
                        flush(runSql, run, statements);
                        run.clear();
                        runSql = null;
                        closeAll(statements); // their SQL names the old types only by binding: prepare anew
                        SchemaEvolution.alter(connection, table.id(), ddl, change);
                        schemaEpoch++;
                    }
                    table = sized.table();
                    tables.put(table.id(), table);
                }
                for (Step step : steps(table, change)) {
                    if (!step.sql.equals(runSql)) {
                        flush(runSql, run, statements);
                        run.clear();
                        runSql = step.sql;
                    }
                    if (step.existingRow) {
                        updates.add(step.sql);
                    }
                    PreparedStatement ps = statements.computeIfAbsent(step.sql, sql -> prepare(connection, sql));
                    if (step.truncate) {
                        execute(ps, change);
                        runSql = null;
                    } else {
                        int next = bind(ps, 1, table, step.row, step.columns, change);
                        if (step.where != null) {
                            bind(ps, next, table, step.where, table.primaryKey(), change);
                        }
                        ps.addBatch();
                        run.add(change);
                    }
                }
            }
            flush(runSql, run, statements);
        } catch (PrepareFailure e) {
            throw e.cause;
        } finally {
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
        }
    }

    private static void closeAll(Map<String, PreparedStatement> statements) throws SQLException {
        for (PreparedStatement ps : statements.values()) {
            ps.close();
        }
        statements.clear();
    }

    private SourceTable table(Change change) {
        SourceTable table = tables.get(change.table());
        if (table == null) {
            throw new ApplyException("Change for " + change.table() + " which is not a captured table ("
                    + change.coordinates() + "). Add it to greenlight.source.tables or remove it from the publication.");
        }
        return table;
    }

    /** One change is one statement, except an update of a keyless row: delete the old, insert the new. */
    private List<Step> steps(SourceTable table, Change change) {
        ChangeOp op = change.op();
        if (op == ChangeOp.TRUNCATE) {
            return List.of(new Step(dialect.truncate(table), null, List.of(), true));
        }
        if (op == ChangeOp.DELETE) {
            Struct before = require(change.before(), "before", change);
            List<String> match = table.identityColumns();
            return List.of(new Step(dialect.delete(table, match), before, match, false));
        }
        Struct after = require(change.after(), "after", change);
        Set<String> unchanged = ToastFilter.unchanged(after);
        if (table.hasPrimaryKey()) {
            List<String> columns = columnsOf(table, after, change);
            columns.removeAll(unchanged);
            if (!unchanged.isEmpty() && op != ChangeOp.UPDATE) {
                throw keyMovedWithUnchangedToast(table, change, unchanged);
            }
            if (unchanged.isEmpty()) {
                return List.of(new Step(dialect.upsert(table, columns), after, columns, false));
            }
            if (KeyMoves.isKeyMove(change, table)) {
                // The old row moves to the new key and keeps the values the change left out (see KeyMoves).
                return List.of(new Step(dialect.update(table, columns), after, columns, false, true, change.before()));
            }
            // The row exists and keeps its unchanged values: an upsert's insert part would lack them.
            List<String> set = columns.stream().filter(c -> !table.primaryKey().contains(c)).toList();
            if (set.isEmpty()) {
                return List.of(); // only unchanged TOAST values besides the key: nothing to write
            }
            List<String> bound = new ArrayList<>(set);
            bound.addAll(table.primaryKey());
            return List.of(new Step(dialect.update(table, set), after, bound, false, true));
        }
        if (!unchanged.isEmpty()) {
            after = ToastFilter.fillFrom(after, change.before(), unchanged, change);
        }
        List<String> columns = columnsOf(table, after, change);
        Step insert = new Step(dialect.insert(table, columns), after, columns, false);
        if (op == ChangeOp.UPDATE && change.before() != null) {
            List<String> match = table.identityColumns();
            return List.of(new Step(dialect.delete(table, match), change.before(), match, false), insert);
        }
        return List.of(insert);
    }

    private List<String> columnsOf(SourceTable table, Struct row, Change change) {
        List<String> columns = new ArrayList<>(row.schema().fields().size());
        for (Field field : row.schema().fields()) {
            SourceColumn column = table.column(field.name()).orElseThrow(() -> new ApplyException("Column "
                    + table.id() + "." + field.name() + " is in the change at " + change.coordinates()
                    + " but not in the table model. Restart Greenlight to pick up the new column."));
            if (!column.generated()) { // not published by pgoutput: written never, not only in the snapshot
                columns.add(field.name());
            }
        }
        return columns;
    }

    /** Binds the columns' values of {@code row} from parameter {@code index} on; returns the next index. */
    private int bind(PreparedStatement ps, int index, SourceTable table, Struct row, List<String> columns, Change change)
            throws SQLException {
        for (String name : columns) {
            SourceColumn column = table.column(name).orElseThrow();
            Field field = row.schema().field(name);
            if (field == null) {
                throw new ApplyException("Column " + name + " is missing from the change at " + change.coordinates());
            }
            try {
                dialect.bind(ps, index++, table, column, field.schema(), row.get(field));
            } catch (LossyValueException e) {
                String ref = table.id() + "." + name;
                throw new ApplyException("Column " + ref + " (" + column.formatted() + "), key " + RowKey.of(table, row)
                        + ", at " + change.coordinates() + ": " + e.getMessage() + ". " + e.remedy(ref) + ".", e);
            } catch (RuntimeException e) {
                throw new ApplyException("Column " + table.id() + "." + name + " value at " + change.coordinates()
                        + " cannot be converted for the target: " + e.getMessage(), e);
            }
        }
        return index;
    }

    private void flush(String sql, List<Change> run, Map<String, PreparedStatement> statements) throws SQLException {
        if (sql == null || run.isEmpty()) {
            return;
        }
        try {
            int[] counts = statements.get(sql).executeBatch();
            if (updates.contains(sql)) {
                requireRows(counts, run);
            }
        } catch (BatchUpdateException e) {
            if (dialect.isOtherRowMatch(e)) {
                Change first = run.get(0);
                throw new ApplyException("An upsert into " + first.table() + " (at " + first.coordinates() + ", "
                        + run.size() + " change(s)) matched a different row through a unique key of the target that is "
                        + "not its primary key; writing it would overwrite that row. The source either has a deferrable "
                        + "unique constraint whose values were swapped in one transaction, or lacks that unique key. "
                        + "Drop the unique index on the target (recreate it after cutover), or remove the row that holds the value there.", e);
            }
            throw describe(e, run);
        }
    }

    /**
     * An insert that carries unchanged-TOAST placeholders is the new-key half of an update that
     * changed the row's primary key (Debezium emits it as a delete of the old key and a create of
     * the new one). Paired with its delete in one batch it is written as a key move ({@link KeyMoves});
     * alone, the unchanged values are in neither event and the old row was (or will be) deleted by
     * the other. Writing the create would leave those columns NULL, silently; stop instead.
     */
    private static ApplyException keyMovedWithUnchangedToast(SourceTable table, Change change, Set<String> unchanged) {
        return new ApplyException("The change of " + change.table() + " key " + RowKey.of(table, change.after()) + " at "
                + change.coordinates() + " moved a row to this primary key and left its TOAST column(s) " + unchanged
                + " unchanged: their values are not in the change stream, only the old row on the target has them, and "
                + "the delete of the old key at the same LSN was not in the same batch (applied earlier, or on another "
                + "partition with greenlight.kafka.partitions > 1), so writing the row would leave them NULL. "
                + "Copy the table again: POST /tables/" + change.table() + "/recopy.");
    }

    /**
     * An update that left unchanged-TOAST columns out found no row: the target lacks a row the
     * source has, and its unchanged values exist nowhere in the stream. Stop rather than skip.
     */
    private void requireRows(int[] counts, List<Change> run) {
        for (int i = 0; i < counts.length && i < run.size(); i++) {
            if (counts[i] == 0) {
                Change change = run.get(i);
                SourceTable table = tables.get(change.table());
                String row = KeyMoves.isKeyMove(change, table)
                        ? " moving key " + RowKey.of(table, change.before()) + " to " + RowKey.of(table, change.after())
                        : " key " + RowKey.of(table, change.after());
                throw new ApplyException("The update of " + change.table() + row
                        + " at " + change.coordinates() + " found no row on the target, and its unchanged TOAST column(s) "
                        + ToastFilter.unchanged(change.after()) + " are not in the change: the target lacks a row the "
                        + "source has. Copy the table again: POST /tables/" + change.table() + "/recopy.");
            }
        }
    }

    private static void execute(PreparedStatement ps, Change change) throws SQLException {
        try {
            ps.execute();
        } catch (SQLException e) {
            throw new SQLException(e.getMessage() + " (at " + change.coordinates() + ")", e.getSQLState(), e.getErrorCode(), e);
        }
    }

    /** Keeps the SQL state (so transient failures stay retryable) and adds where it happened. */
    private static SQLException describe(SQLException e, List<Change> run) {
        Change first = run.get(0);
        Change last = run.get(run.size() - 1);
        String where = run.size() == 1 ? first.coordinates()
                : first.coordinates() + " .. offset " + last.offset() + " (" + run.size() + " changes)";
        return new SQLException(e.getMessage() + " (at " + where + ")", e.getSQLState(), e.getErrorCode(), e);
    }

    private static Struct require(Struct row, String image, Change change) {
        if (row == null) {
            throw new ApplyException("The change at " + change.coordinates() + " has no '" + image + "' image");
        }
        return row;
    }

    private PreparedStatement prepare(Connection connection, String sql) {
        try {
            int epoch = schemaEpoch;
            return connection.prepareStatement(epoch == 0 ? sql : "/* schema " + epoch + " */ " + sql);
        } catch (SQLException e) {
            throw new PrepareFailure(e);
        }
    }

    /**
     * {@code existingRow}: an update that must find its row (one that leaves unchanged-TOAST columns out);
     * {@code where}: the image whose primary key it is found by, when not {@code row}'s (a key move).
     */
    private record Step(String sql, Struct row, List<String> columns, boolean truncate, boolean existingRow, Struct where) {
        Step {
            Objects.requireNonNull(sql);
        }

        Step(String sql, Struct row, List<String> columns, boolean truncate) {
            this(sql, row, columns, truncate, false, null);
        }

        Step(String sql, Struct row, List<String> columns, boolean truncate, boolean existingRow) {
            this(sql, row, columns, truncate, existingRow, null);
        }
    }

    /** Carries a checked exception out of computeIfAbsent. */
    private static final class PrepareFailure extends RuntimeException {
        private final SQLException cause;

        PrepareFailure(SQLException cause) {
            super(cause);
            this.cause = cause;
        }
    }
}
