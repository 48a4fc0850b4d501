package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;

/** Creates the target tables of the captured source tables (those not there yet). */
public final class TargetTables {

    private TargetTables() {
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
