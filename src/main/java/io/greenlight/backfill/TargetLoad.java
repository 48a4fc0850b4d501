package io.greenlight.backfill;

import io.greenlight.dialect.TabSeparatedRows;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a dialect's LOAD DATA LOCAL INFILE statement over rows held in memory (Connector/J's
 * setLocalInfileInputStream: no file is written). LOCAL turns bad values and duplicate keys into
 * warnings, so any warning fails the load instead of letting a changed value through.
 */
final class TargetLoad {

    private TargetLoad() {
    }

    static void load(Connection connection, String sql, TabSeparatedRows rows) throws SQLException {
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
}
