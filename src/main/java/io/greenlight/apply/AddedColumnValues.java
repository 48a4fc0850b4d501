package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** The values a column added on the source gave the rows that existed before it (see {@link DdlFollower}). */
final class AddedColumnValues {

    private static final Logger LOG = Logger.getLogger(AddedColumnValues.class);
    private static final int COPY_BATCH = 1000;

    private final DataSource source;
    private final Dialect dialect;

    AddedColumnValues(DataSource source, Dialect dialect) {
        this.source = source;
        this.dialect = dialect;
    }

    /**
     * Gives the rows that existed before an added column the values the source gave them: the
     * statement's constant default (PostgreSQL's "missing value"), or for a volatile default (a table
     * rewrite: random(), clock_timestamp(), nextval()) each row's value copied from the source by key,
     * lock-free (a plain read), before any later change of the table is applied.
     */
    void fill(Connection target, SourceTable table, SourceColumn column, Map<String, String> missing, Change change)
            throws SQLException {
        if (missing.containsKey(column.name())) {
            String value = missing.get(column.name());
            if (value != null) {
                try (PreparedStatement ps = target.prepareStatement(dialect.backfillColumn(table, column))) {
                    ps.setString(1, text(column, value));
                    ps.executeUpdate();
                }
            }
            return;
        }
        if (column.defaultExpression() == null) {
            return;
        }
        if (!table.hasPrimaryKey()) {
            throw new ApplyException("Table " + table.id() + " stops at the source's DDL `" + change.ddl().statementText()
                    + "` (" + change.coordinates() + "): column " + column.name() + " was added with the volatile default "
                    + column.defaultExpression() + ", whose values Greenlight copies by primary key, and the table has none. "
                    + "Copy the table again: POST /tables/" + table.id() + "/recopy.");
        }
        long copied = 0;
        String select = "SELECT " + String.join(", ", table.primaryKey().stream().map(k -> TableId.quoteIdentifier(k) + "::text").toList())
                + ", " + sourceText(column) + " FROM " + table.id().quoted();
        try (Connection connection = source.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (Statement st = connection.createStatement();
                 PreparedStatement update = target.prepareStatement(dialect.setColumnByKey(table, column))) {
                st.setFetchSize(COPY_BATCH);
                try (ResultSet rs = st.executeQuery(select)) {
                    int keys = table.primaryKey().size();
                    while (rs.next()) {
                        String value = rs.getString(keys + 1);
                        update.setString(1, value == null ? null : text(column, value));
                        for (int i = 1; i <= keys; i++) {
                            update.setString(i + 1, rs.getString(i));
                        }
                        update.addBatch();
                        if (++copied % COPY_BATCH == 0) {
                            update.executeBatch();
                        }
                    }
                }
                update.executeBatch();
            } finally {
                connection.rollback();
            }
        }
        LOG.infof("Column %s.%s was added with the volatile default %s: copied the values of %d source row(s) by key",
                table.id(), column.name(), column.defaultExpression(), copied);
    }

    /** The column as text the target parses: timestamptz in UTC for a MySQL target (which stores UTC). */
    private String sourceText(SourceColumn column) {
        String name = TableId.quoteIdentifier(column.name());
        if ("timestamptz".equals(column.typeName()) && !column.array() && !"postgresql".equals(dialect.name())) {
            return "(" + name + " AT TIME ZONE 'UTC')::text";
        }
        return name + "::text";
    }

    private String text(SourceColumn column, String value) {
        return "bool".equals(column.typeName()) && !"postgresql".equals(dialect.name()) ? (value.startsWith("t") ? "1" : "0") : value;
    }

}
