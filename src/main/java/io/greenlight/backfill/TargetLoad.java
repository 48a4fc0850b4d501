package io.greenlight.backfill;

import io.greenlight.dialect.TabSeparatedRows;

import org.postgresql.PGConnection;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a dialect's bulk-load statement over rows held in memory, no file written: MySQL's LOAD
 * DATA LOCAL INFILE (Connector/J's setLocalInfileInputStream; LOCAL turns bad values and
 * duplicate keys into warnings, so any warning fails the load instead of letting a changed value
 * through) or PostgreSQL's COPY FROM STDIN (pgjdbc's CopyManager).
 */
final class TargetLoad {

    private TargetLoad() {
    }

    static void load(Connection connection, String sql, TabSeparatedRows rows) throws SQLException {
        if (connection.isWrapperFor(PGConnection.class)) {
            copyIn(connection.unwrap(PGConnection.class), sql, rows);
            return;
        }
        long loaded;
        try (Statement st = connection.createStatement()) {
            st.unwrap(com.mysql.cj.jdbc.JdbcStatement.class).setLocalInfileInputStream(rows.inputStream());
            loaded = st.executeLargeUpdate(sql);
        }
        List<String> warnings = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SHOW WARNINGS LIMIT 3")) {
            while (rs.next()) {
                warnings.add(rs.getString(1) + " " + rs.getInt(2) + ": " + rs.getString(3));
            }
        }
        if (!warnings.isEmpty() || loaded != rows.rows()) {
            throw new SQLException("The target took " + loaded + " of " + rows.rows() + " rows"
                    + (warnings.isEmpty() ? "" : " and warned: " + String.join("; ", warnings)), "22000");
        }
    }

    /** PostgreSQL's COPY FROM STDIN: a bad value fails the statement (and the chunk's transaction) with its SQL state. */
    private static void copyIn(PGConnection connection, String sql, TabSeparatedRows rows) throws SQLException {
        long loaded;
        try {
            loaded = connection.getCopyAPI().copyIn(sql, rows.inputStream());
        } catch (IOException e) {
            throw new SQLException("Reading the rendered rows failed: " + e.getMessage(), "58030", e);
        }
        if (loaded != rows.rows()) {
            throw new SQLException("The target took " + loaded + " of " + rows.rows() + " rows", "22000");
        }
    }
}
