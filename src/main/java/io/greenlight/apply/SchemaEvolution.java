package io.greenlight.apply;

import io.greenlight.config.GreenlightConfig.Schema.DroppedColumns;
import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TypeWidening;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Follows source DDL while streaming, when a change's columns differ from the table model: a
 * new column is added to the target (and rows older than it get its ADD COLUMN default); a
 * dropped column stays on the target, made nullable; a widened type is widened on the target.
 * Anything else stops apply naming table, column and LSN. DDL commits (implicitly on MySQL, and
 * here explicitly, so that the altered table and the model agree on every engine): apply writes
 * the change that needs it at the start of a transaction of its own ({@link BatchWriter#transactions}),
 * so this commit holds the DDL and nothing else.
 */
public final class SchemaEvolution {

    private static final Logger LOG = Logger.getLogger(SchemaEvolution.class);

    private final DataSource source;
    private final Dialect dialect;
    private final DdlFollower ddl;

    private final boolean ddlInStream;
    private final SchemaStore store;

    public SchemaEvolution(DataSource source, Dialect dialect) {
        this(source, dialect, false);
    }

    public SchemaEvolution(DataSource source, Dialect dialect, boolean ddlInStream) {
        this(source, dialect, ddlInStream, DroppedColumns.DROP);
    }

    /**
     * {@code ddlInStream}: the source's DDL trigger writes every statement into the stream, where
     * {@link #follow} translates it in order; a change's columns then only add what it lacks
     * (the source catalog is read later than the change, so its types may be ahead of it).
     * {@code droppedColumns}: what a DROP COLUMN met in the stream does to the target column.
     */
    public SchemaEvolution(DataSource source, Dialect dialect, boolean ddlInStream, DroppedColumns droppedColumns) {
        this.source = source;
        this.dialect = dialect;
        this.ddl = new DdlFollower(source, dialect, droppedColumns);
        this.ddlInStream = ddlInStream;
        this.store = new SchemaStore(dialect);
    }

    /**
     * Follows a source DDL statement met in the table's stream (see {@link DdlFollower}) and commits:
     * the caller writes it in a transaction of its own. Null when the table was dropped.
     */
    public SourceTable follow(Connection target, SourceTable model, Change change) throws SQLException {
        SourceTable evolved = ddl.follow(target, model, change);
        if (ddlInStream) {
            store.save(target, model.id(), evolved); // committed with the DDL (PostgreSQL) or right after it (MySQL)
        }
        target.commit();
        return evolved;
    }

    /** The table was resumed after a stop: a DDL that stopped it is taken as the target table stands. */
    public void resumed(io.greenlight.schema.TableId table) {
        ddl.resumed(table);
    }

    /** The model to write {@code row} with, after altering the target where the source changed. */
    public SourceTable reconcile(Connection target, SourceTable model, Struct row, Change change) throws SQLException {
        Set<String> fields = row.schema().fields().stream().map(Field::name).collect(Collectors.toSet());
        SourceTable current;
        try (Connection connection = source.getConnection()) {
            SourceCatalog catalog = new SourceCatalog(connection);
            Optional<SourceTable> found = catalog.table(model.id());
            if (found.isEmpty() && ddlInStream && fields.stream().allMatch(f -> model.column(f).isPresent())) {
                return model; // renamed or dropped since: its DDL, later in the stream, says which
            }
            current = found.orElseThrow(() -> new ApplyException("Table " + model.id()
                    + " no longer exists on the source (change at " + change.coordinates() + "). Remove it from "
                    + "greenlight.source.tables and restart Greenlight."));
            List<String> ddl = new ArrayList<>();
            List<SourceColumn> columns = new ArrayList<>();
            for (SourceColumn known : model.columns()) {
                columns.add(evolve(model, known, fields, current, change, ddl));
            }
            List<SourceColumn> added = new ArrayList<>();
            for (Field field : row.schema().fields()) {
                if (model.column(field.name()).isEmpty()) {
                    SourceColumn column = current.column(field.name()).orElseThrow(() -> new ApplyException("Column "
                            + model.id() + "." + field.name() + " is in the change at " + change.coordinates()
                            + " but no longer on the source; restart Greenlight after the source's DDL settles."));
                    added.add(column.asNullable());
                    ddl.add(dialect.addColumn(model, column));
                }
            }
            columns.addAll(added);
            SourceTable evolved = model.withColumns(columns);
            if (!ddl.isEmpty()) {
                execute(target, model.id(), ddl);
                for (SourceColumn column : added) {
                    backfill(target, evolved, column, catalog.missingValue(model.id(), column), change);
                }
                target.commit();
                LOG.infof("Target table %s follows the source's DDL at %s: %s", model.id(), change.coordinates(), ddl);
            }
            return evolved;
        }
    }

    private SourceColumn evolve(SourceTable model, SourceColumn known, Set<String> fields, SourceTable current,
                                Change change, List<String> ddl) {
        if (known.generated() || ddlInStream) {
            return known;
        }
        if (!fields.contains(known.name())) {
            if (!known.nullable()) {
                SourceColumn dropped = known.asNullable();
                ddl.add(dialect.modifyColumn(model, dropped));
                return dropped;
            }
            return known;
        }
        Optional<SourceColumn> now = current.column(known.name());
        if (now.isEmpty() || TypeWidening.isSameType(known, now.get())) {
            return known;
        }
        if (!TypeWidening.isWidening(known, now.get())) {
            throw new ApplyException("Column " + model.id() + "." + known.name() + " changed type on the source from "
                    + known.formatted() + " to " + now.get().formatted() + " (change at " + change.coordinates()
                    + "); the target cannot follow without losing data. Alter the target column "
                    + dialect.quote(known.name()) + " by hand to hold the new values, then restart Greenlight.");
        }
        SourceColumn widened = known.nullable() ? now.get().asNullable() : now.get();
        // Appended enum labels change a PostgreSQL target's type, not its name.
        if (!dialect.mapping(model, known).sqlType().equals(dialect.mapping(model, widened).sqlType())
                || !known.enumLabels().equals(widened.enumLabels())) {
            ddl.add(dialect.modifyColumn(model, widened));
        }
        return widened;
    }

    /**
     * Runs DDL that makes a target table hold what a change brings (a wider numeric) and commits:
     * MySQL commits DDL implicitly, so the batch is committed up to that change.
     */
    static void alter(Connection target, io.greenlight.schema.TableId table, List<String> ddl, Change change)
            throws SQLException {
        execute(target, table, ddl);
        target.commit();
        LOG.infof("Target table %s widened for the change at %s: %s", table, change.coordinates(), ddl);
    }

    /** Runs the statements; one the target refuses fails naming the table and the statement (SQL state kept: transient stays transient). */
    private static void execute(Connection target, io.greenlight.schema.TableId table, List<String> ddl) throws SQLException {
        try (Statement st = target.createStatement()) {
            for (String sql : ddl) {
                try {
                    st.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException("The target refused to alter table " + table + ": " + e.getMessage()
                            + ". Alter it by hand to hold the source's values, then resume the table. Statement: " + sql,
                            e.getSQLState(), e.getErrorCode(), e);
                }
            }
        }
    }

    private void backfill(Connection target, SourceTable table, SourceColumn column, Optional<String> value,
                          Change change) throws SQLException {
        if (value.isEmpty()) {
            if (column.defaultExpression() != null) {
                LOG.warnf("Column %s.%s was added on the source with the non-constant default %s (seen at %s): rows "
                        + "that existed before it stay NULL on the target until they change. Fill them by hand or "
                        + "compare with POST /verify.", table.id(), column.name(), column.defaultExpression(),
                        change.coordinates());
            }
            return;
        }
        String text = "bool".equals(column.typeName()) ? (value.get().startsWith("t") ? "1" : "0") : value.get();
        try (PreparedStatement ps = target.prepareStatement(dialect.backfillColumn(table, column))) {
            ps.setString(1, text);
            ps.executeUpdate();
        }
    }
}
