package io.greenlight.apply;

import io.greenlight.config.GreenlightConfig.Schema.DroppedColumns;
import io.greenlight.dialect.Dialect;
import io.greenlight.schema.DdlEvent;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableDefinition;
import io.greenlight.schema.TableId;
import io.greenlight.schema.TypeWidening;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Translates one source DDL statement's effect on a table (a {@link DdlEvent} met in the table's
 * stream) into the target's SQL, at exactly that point of the stream: the table's definition right
 * after the statement is compared with the model apply writes with, column by column through their
 * attribute numbers (which a rename keeps). What cannot be translated stops the table with the
 * statement, never diverges silently. The caller writes the event in a transaction of its own
 * (DDL commits implicitly on MySQL) and commits it with the event's offsets.
 */
final class DdlFollower {

    private static final Logger LOG = Logger.getLogger(DdlFollower.class);
    /** ALTER TABLE … ATTACH PARTITION / DETACH PARTITION [CONCURRENTLY | FINALIZE]. */
    private static final java.util.regex.Pattern PARTITION_MOVE = java.util.regex.Pattern.compile(
            "\\b(ATTACH|DETACH)\\s+PARTITION\\b", java.util.regex.Pattern.CASE_INSENSITIVE);

    private final DataSource source;
    private final Dialect dialect;
    private final AddedColumnValues values;
    private final DroppedColumns droppedColumns;
    /** Tables resumed after a DDL stop: the next refused DDL is taken as the target table stands. */
    private final Set<TableId> acceptAsIs = ConcurrentHashMap.newKeySet();

    DdlFollower(DataSource source, Dialect dialect, DroppedColumns droppedColumns) {
        this.source = source;
        this.dialect = dialect;
        this.droppedColumns = droppedColumns;
        this.values = new AddedColumnValues(source, dialect);
    }

    /** POST /tables/{table}/resume after a stop: the operator made the target table hold the source's values. */
    void resumed(TableId table) {
        acceptAsIs.add(table);
    }

    /** The model to write the table's later changes with, after altering the target; null once it was dropped. */
    SourceTable follow(Connection target, SourceTable model, Change change) throws SQLException {
        try {
            return translate(target, model, change);
        } catch (SQLException e) {
            if (ApplyLoop.isTransient(e) || !acceptAsIs.remove(model.id())) {
                throw e;
            }
            // Resumed after the target refused this statement: the operator altered the target table by hand.
            LOG.warnf("Table %s: the target refused the translation of the source's `%s` at %s again (%s); resumed by the "
                    + "operator, the target table is taken as it stands", model.id(), change.ddl().statementText(),
                    change.coordinates(), e.getMessage());
            return change.ddl().definition().map(d -> adopt(model, d.table())).orElse(model);
        }
    }

    private SourceTable translate(Connection target, SourceTable model, Change change) throws SQLException {
        DdlEvent ddl = change.ddl();
        if (ddl.dropsTable()) {
            return dropped(target, model, change);
        }
        TableDefinition definition = ddl.definition().orElseThrow();
        SourceTable now = definition.table();
        if (ddl.replaced()) {
            return refuse(model, change, "another table took its name on the source (a table swap); its definition is "
                    + "not this table's", "Copy the table of that name as it is now: POST /tables/" + model.id() + "/recopy");
        }
        if (ddl.statement() != null && PARTITION_MOVE.matcher(ddl.statement()).find()) {
            return refuse(model, change, "the statement attaches or detaches a partition, which moves rows into or out of "
                    + "the table without writing them as changes", "Copy the table as it is now: POST /tables/" + model.id()
                    + "/recopy");
        }
        if (!now.id().equals(model.id())) {
            if (ddl.copiedAs().isPresent()) {
                // Renamed in a migrated schema: Greenlight restarts and copies it under its new name (capture asked for
                // it when it published this statement); the old target table goes with that restart. Until then what
                // capture still publishes under the old name is written to it as before.
                LOG.infof("Table %s was renamed to %s on the source (%s at %s): it is copied under its new name",
                        model.id(), now.id(), ddl.statementText(), change.coordinates());
                return model;
            }
            return refuse(model, change, "the table was renamed to " + now.id() + " on the source; with "
                    + "greenlight.source.tables set Greenlight captures the tables it names, and capture (Debezium's table "
                    + "filter) drops the renamed table's changes", "Set greenlight.source.tables to name " + now.id()
                    + " instead of " + model.id() + " and restart Greenlight: the start copies it under the new name (with "
                    + "greenlight.source.snapshot-mode other than backfill, POST /tables/" + now.id() + "/recopy after it). "
                    + "Then drop the target's table " + model.id() + " (its copy under the old name)");
        }
        List<String> sql = new ArrayList<>();
        Map<Integer, SourceColumn> byPosition = new HashMap<>();
        now.columns().forEach(c -> byPosition.put(c.position(), c));
        Map<String, String> renamed = new HashMap<>();
        List<SourceColumn> columns = new ArrayList<>();
        List<String> droppedNames = new ArrayList<>();
        // What the target has: the statement may be met again after a restart (MySQL/MariaDB commit DDL implicitly,
        // before the offsets and the recorded model), its renames and added columns then already done.
        Set<String> onTargetColumns = IndexChanges.columnsOnTarget(target, dialect, model);
        for (SourceColumn known : model.columns()) {
            SourceColumn current = byPosition.remove(known.position());
            if (current == null) {
                // Dropped on the source. The model (what is written, verified, compared at cutover) is the source's
                // columns either way; the target drops the column too (after the indexes that go with it), or keeps
                // it with its values, nullable for the rows to come.
                if (droppedColumns == DroppedColumns.DROP) {
                    droppedNames.add(known.name());
                } else if (!known.nullable() && !known.generated()) {
                    sql.add(dialect.modifyColumn(model, known.asNullable()));
                }
                continue;
            }
            SourceColumn evolved = known;
            if (!current.name().equals(known.name())) {
                if (!onTargetColumns.contains(current.name()) || onTargetColumns.contains(known.name())) {
                    sql.add(dialect.renameColumn(model, known.name(), current.name()));
                } // else renamed already (met again after a restart)
                renamed.put(known.name(), current.name());
                evolved = named(known, current.name());
            }
            if (!TypeWidening.isSameType(evolved, current)) {
                if (!TypeWidening.isWidening(evolved, current)) {
                    if (acceptAsIs.remove(model.id())) {
                        LOG.warnf("Column %s.%s changed type from %s to %s by %s; resumed by the operator: the target column "
                                + "stays as it is", model.id(), current.name(), evolved.formatted(), current.formatted(),
                                ddl.statementText());
                        columns.add(evolved);
                        continue;
                    }
                    return refuse(model, change, "column " + current.name() + " changed type from " + evolved.formatted()
                            + " to " + current.formatted() + ", which narrows it; Greenlight never narrows a target column",
                            "The target column keeps holding every value of the new type: POST /tables/" + model.id()
                                    + "/resume to go on with it as it is (or alter it by hand first)");
                }
                SourceColumn widened = evolved.nullable() ? current.asNullable() : current;
                if (!dialect.mapping(model, evolved).sqlType().equals(dialect.mapping(model, widened).sqlType())
                        || !evolved.enumLabels().equals(widened.enumLabels())) {
                    sql.add(dialect.modifyColumn(model, widened));
                }
                evolved = widened;
            } else if (current.nullable() && !evolved.nullable()) {
                evolved = evolved.asNullable(); // DROP NOT NULL: the target must take NULL from now on
                sql.add(dialect.modifyColumn(model, evolved));
            }
            columns.add(evolved);
        }
        List<SourceColumn> added = new ArrayList<>();
        for (SourceColumn column : now.columns()) {
            if (byPosition.containsKey(column.position())) {
                if (column.generated()) {
                    return refuse(model, change, "the generated column " + column.name() + " was added; pgoutput does "
                            + "not publish generated columns, so the target could not follow its values",
                            "Add the column to the target table by hand as a generated column, then POST /tables/"
                                    + model.id() + "/resume");
                }
                added.add(column.asNullable());
                columns.add(column.asNullable());
            }
        }
        List<String> key = now.primaryKey();
        if (!key.equals(model.primaryKey().stream().map(k -> renamed.getOrDefault(k, k)).toList())) {
            return refuse(model, change, "its primary key (replica identity) changed from " + model.primaryKey() + " to "
                    + key + "; the target's rows are keyed by the old one", "Change the target table's primary key "
                    + "by hand to " + key + ", then POST /tables/" + model.id() + "/resume");
        }
        SourceTable evolved = new SourceTable(model.id(), columns, key, now.uniqueKeys(), now.replicaIdentity(),
                model.numericExtents());
        for (SourceColumn column : added) {
            if (!onTargetColumns.contains(column.name())) {
                sql.add(dialect.addColumn(evolved, column));
            } else if (droppedColumns == DroppedColumns.KEEP) {
                // A column of that name may be one the source dropped earlier, kept with its old values: never reused.
                return refuse(model, change, "the target already has a column " + column.name() + ", kept with its old "
                        + "values when the source dropped one of that name (greenlight.schema.dropped-columns=keep)",
                        "Drop the kept column on the target (ALTER TABLE " + dialect.tableName(model) + " DROP COLUMN "
                        + dialect.quote(column.name()) + "), then POST /tables/" + model.id() + "/resume");
            }
            // else added already: met again after a restart (MySQL/MariaDB commit DDL before the offsets)
        }
        IndexChanges indexes = IndexChanges.of(model, evolved, definition, ddl, renamed);
        if (indexes.refusal().isPresent()) {
            return refuse(model, change, indexes.refusal().get(), "Create the index on the target by hand if you "
                    + "need it, then POST /tables/" + model.id() + "/resume");
        }
        SourceTable before = model.withColumns(columns);
        for (TableDefinition.Index index : indexes.create()) {
            for (String name : index.columns()) {
                SourceColumn column = evolved.column(name).orElseThrow();
                if (before.column(name).isPresent() && added.stream().noneMatch(a -> a.name().equals(name))
                        && !dialect.mapping(before, column).sqlType().equals(dialect.mapping(evolved, column).sqlType())) {
                    sql.add(dialect.modifyColumn(evolved, column)); // e.g. MySQL: a key column must be VARCHAR, not TEXT
                }
            }
        }
        execute(target, model, change, sql);
        for (SourceColumn column : added) {
            values.fill(target, evolved, column, definition.missingValues(), change);
        }
        List<String> indexSql = new ArrayList<>();
        Map<String, List<String>> onTarget = IndexChanges.onTarget(target, dialect, evolved);
        for (List<String> dropped : indexes.droppedKeys()) {
            onTarget.entrySet().stream().filter(e -> e.getValue().equals(dropped)).map(Map.Entry::getKey).findFirst()
                    .ifPresent(name -> indexSql.add(dialect.dropIndex(evolved, name)));
        }
        indexes.droppedName().filter(onTarget::containsKey).map(name -> dialect.dropIndex(evolved, name))
                .filter(drop -> !indexSql.contains(drop)).ifPresent(indexSql::add);
        execute(target, evolved, change, indexSql);
        List<String> dropColumns = new ArrayList<>();
        if (!droppedNames.isEmpty()) {
            // Only what the target still has: the statement met again after a restart (MySQL commits DDL before the offsets).
            Set<String> present = IndexChanges.columnsOnTarget(target, dialect, evolved);
            droppedNames.stream().filter(present::contains).map(name -> dialect.dropColumn(model, name)).forEach(dropColumns::add);
        }
        execute(target, evolved, change, dropColumns);
        indexSql.addAll(dropColumns);
        for (TableDefinition.Index index : indexes.create()) {
            if (!onTarget.containsKey(index.name()) || indexSql.contains(dialect.dropIndex(evolved, index.name()))) {
                String create = dialect.createIndex(evolved, index.name(), index.unique(), index.columns());
                createIndex(target, evolved, change, create, index.unique());
                indexSql.add(create);
            }
        }
        acceptAsIs.remove(model.id());
        if (!sql.isEmpty() || !indexSql.isEmpty() || !added.isEmpty()) { // indexSql: also the dropped columns
            LOG.infof("Target table %s follows the source's %s (%s) at %s: %s", model.id(), ddl.tag(), ddl.statementText(),
                    change.coordinates(), concat(sql, indexSql));
        }
        return evolved;
    }

    /**
     * DROP TABLE: the target table is dropped too and the table is no longer captured (null). A table of
     * the same name created again since is another table, never published under this one: stop.
     */
    private SourceTable dropped(Connection target, SourceTable model, Change change) throws SQLException {
        Long now;
        try (Connection connection = source.getConnection();
             PreparedStatement ps = connection.prepareStatement("SELECT to_regclass(?)::oid")) {
            ps.setString(1, model.id().quoted());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                now = rs.getObject(1) == null ? null : rs.getLong(1);
            }
        }
        if (now != null && !now.equals(change.ddl().droppedOid())) {
            return refuse(model, change, "the table was dropped and created again under the same name on the source; "
                    + "the new table is not published under the old one", "Copy it again: POST /tables/" + model.id()
                    + "/recopy (Greenlight adds it to its publication on that restart)");
        }
        String drop = dialect.dropTable(model);
        execute(target, model, change, List.of(drop));
        LOG.infof("Table %s was dropped on the source (%s at %s): %s; it is no longer captured", model.id(),
                change.ddl().statementText(), change.coordinates(), drop);
        return null;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static SourceColumn named(SourceColumn c, String name) {
        return new SourceColumn(name, c.position(), c.typeName(), c.formatted(), c.typeCategory(), c.array(), c.nullable(),
                c.length(), c.precision(), c.scale(), c.identity(), c.defaultExpression(), c.generated(), c.enumLabels());
    }

    /** Stops the table at this DDL: the statement, where it is, why, and what to do. */
    private SourceTable refuse(SourceTable model, Change change, String why, String next) {
        if (acceptAsIs.remove(model.id())) {
            LOG.warnf("Table %s: the source's %s (%s) at %s was not translated (%s); resumed by the operator, the target "
                    + "table is taken as it stands", model.id(), change.ddl().tag(), change.ddl().statementText(),
                    change.coordinates(), why);
            return change.ddl().definition().map(d -> adopt(model, d.table())).orElse(model);
        }
        throw new ApplyException("Table " + model.id() + " stops at the source's DDL `" + change.ddl().statementText()
                + "` (" + change.ddl().tag() + " at " + change.coordinates() + "): " + why + ". " + next + ".");
    }

    /** The source's new definition, keeping the columns the target has and the source dropped. */
    private static SourceTable adopt(SourceTable model, SourceTable now) {
        if (!now.id().equals(model.id())) {
            return model;
        }
        List<SourceColumn> columns = new ArrayList<>(now.columns());
        return new SourceTable(model.id(), columns, now.primaryKey(), now.uniqueKeys(), now.replicaIdentity(),
                model.numericExtents());
    }

    private void execute(Connection target, SourceTable table, Change change, List<String> sql) throws SQLException {
        try (Statement st = target.createStatement()) {
            for (String statement : sql) {
                try {
                    st.execute(statement);
                } catch (SQLException e) {
                    throw new SQLException("The target refused " + statement + " for the source's DDL `"
                            + change.ddl().statementText() + "` (" + change.coordinates() + "): " + e.getMessage()
                            + ". Alter target table " + table.id() + " by hand to match, then POST /tables/" + table.id() + "/resume.",
                            e.getSQLState(), e.getErrorCode(), e);
                }
            }
        }
    }

    /**
     * A unique index the target's rows violate stops the table naming the duplicate keys (the source
     * accepted it, so the target holds rows the source no longer does, or differs in collation).
     */
    private void createIndex(Connection target, SourceTable table, Change change, String statement, boolean unique)
            throws SQLException {
        // PostgreSQL aborts the transaction at a refused statement: roll back to before it, to look at the rows.
        java.sql.Savepoint before = "postgresql".equals(dialect.name()) ? target.setSavepoint() : null;
        try (Statement st = target.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            if (ApplyLoop.isTransient(e)) {
                throw e;
            }
            if (before != null) {
                target.rollback(before);
            }
            if (!unique) {
                LOG.warnf("Table %s: the target refused %s for the source's `%s` (%s): %s. The index is not created on the "
                        + "target; the data is unaffected. Create a fitting one by hand if queries need it.", table.id(),
                        statement, change.ddl().statementText(), change.coordinates(), e.getMessage());
                return;
            }
            throw new ApplyException("Table " + table.id() + " stops at the source's DDL `" + change.ddl().statementText()
                    + "` (" + change.coordinates() + "): the target refused " + statement + ": " + e.getMessage()
                    + duplicates(target, statement, table) + ". Remove or correct those rows on the target (compare with "
                    + "POST /verify), then POST /tables/" + table.id() + "/resume.", e);
        }
    }

    /** For a refused unique index: which key values appear twice on the target. */
    private String duplicates(Connection target, String statement, SourceTable table) {
        if (!statement.startsWith("CREATE UNIQUE")) {
            return "";
        }
        String columns = statement.substring(statement.lastIndexOf('(') + 1, statement.lastIndexOf(')'));
        String query = "SELECT " + columns + ", count(*) FROM " + dialect.tableName(table) + " GROUP BY " + columns
                + " HAVING count(*) > 1";
        List<String> keys = new ArrayList<>();
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount() - 1;
            while (rs.next() && keys.size() < 10) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    values.add(rs.getMetaData().getColumnLabel(i) + "=" + rs.getString(i));
                }
                keys.add("{" + String.join(", ", values) + "} " + rs.getLong(n + 1) + " times");
            }
        } catch (SQLException e) {
            return "";
        }
        return keys.isEmpty() ? "" : "; duplicate keys on the target: " + String.join("; ", keys);
    }
}
