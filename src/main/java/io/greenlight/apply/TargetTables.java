package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.NumericExtent;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Creates the target tables of the captured source tables (those not there yet). */
public final class TargetTables {

    private static final Logger LOG = Logger.getLogger(TargetTables.class);

    private TargetTables() {
    }

    /**
     * The tables with the extents of their unconstrained numeric columns, for a target that sizes
     * them from the values ({@link Dialect#sizesNumericFromValues}): read from the target column
     * where the table exists already (a restart keeps its choice), else measured on the source
     * before anything is copied.
     */
    public static Map<TableId, SourceTable> sized(Connection source, Connection target, Dialect dialect,
                                                  Map<TableId, SourceTable> tables) throws SQLException {
        if (!dialect.sizesNumericFromValues()) {
            return tables;
        }
        Map<TableId, SourceTable> sized = new LinkedHashMap<>();
        for (SourceTable table : tables.values()) {
            List<SourceColumn> columns = NumericExtent.measured(table);
            Map<String, NumericExtent> extents = new LinkedHashMap<>();
            if (!columns.isEmpty()) {
                extents.putAll(onTarget(target, dialect, table));
                List<SourceColumn> unknown = columns.stream().filter(c -> !extents.containsKey(c.name())).toList();
                extents.putAll(NumericExtent.read(source, table.id(), unknown));
                LOG.infof("Unconstrained numeric columns of %s hold %s", table.id(), extents);
            }
            sized.put(table.id(), extents.isEmpty() ? table : table.withNumericExtents(extents));
        }
        return sized;
    }

    /** The extents the target's existing numeric columns of the table were sized for (by Greenlight or by hand). */
    static Map<String, NumericExtent> onTarget(Connection target, Dialect dialect, SourceTable table)
            throws SQLException {
        Map<String, NumericExtent> extents = new LinkedHashMap<>();
        DatabaseMetaData meta = target.getMetaData();
        try (ResultSet rs = meta.getColumns(target.getCatalog(), null, table.id().table(), null)) {
            while (rs.next()) {
                if (!table.id().table().equals(rs.getString("TABLE_NAME"))) {
                    continue; // the name is a LIKE pattern: _ and % match other tables too
                }
                String name = rs.getString("COLUMN_NAME");
                Optional<SourceColumn> column = table.columns().stream()
                        .filter(c -> dialect.columnNameKey(c.name()).equals(dialect.columnNameKey(name))).findFirst();
                if (column.isPresent() && NumericExtent.measured(table).contains(column.get())) {
                    dialect.numericExtentOf(rs.getString("TYPE_NAME"), rs.getInt("COLUMN_SIZE"), rs.getInt("DECIMAL_DIGITS"))
                            .ifPresent(e -> extents.put(column.get().name(), e));
                }
            }
        }
        return extents;
    }

    /**
     * Runs each table's CREATE TABLE IF NOT EXISTS; a statement the target refuses fails with the
     * table, the target's reason and the statement, so the operator can create it by hand or
     * leave the table out.
     */
    public static void create(Connection target, Dialect dialect, Collection<SourceTable> tables) throws SQLException {
        try (Statement st = target.createStatement()) {
            for (SourceTable table : tables) {
                String sql = dialect.createTable(table);
                try {
                    st.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException("The " + dialect.name() + " target refused to create table " + table.id()
                            + ": " + e.getMessage() + ". Create it by hand with columns that hold the source's values "
                            + "(Greenlight keeps an existing table), or leave it out of greenlight.source.tables. "
                            + "Statement: " + sql, e.getSQLState(), e.getErrorCode(), e);
                }
            }
        }
    }
}
