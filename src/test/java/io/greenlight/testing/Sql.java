package io.greenlight.testing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Small JDBC helpers for tests: run statements, read rows in a comparable form. */
public final class Sql {

    private Sql() {
    }

    /** Something done on a connection (a DDL statement, a migration script). */
    @FunctionalInterface
    public interface Action {
        void run(Connection c) throws Exception;
    }

    public static void exec(Connection c, String... statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    public static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Rows as lists of normalized strings: decimals without trailing zeros, timestamps with
     * offsets as UTC wall time, booleans and tinyint(1) alike, so source and target compare.
     */
    public static List<List<String>> rows(Connection c, String query, Object... params) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(meta.getColumnCount());
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.add(normalize(rs, i, meta.getColumnTypeName(i)));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** Fails with a short message: row counts and the first differing rows, not whole tables. */
    public static void assertSameRows(List<List<String>> expected, List<List<String>> actual) {
        if (expected.equals(actual)) {
            return;
        }
        int i = 0;
        while (i < Math.min(expected.size(), actual.size()) && expected.get(i).equals(actual.get(i))) {
            i++;
        }
        throw new AssertionError("rows differ: expected " + expected.size() + " rows, got " + actual.size()
                + "; first difference at row " + i + ": expected "
                + (i < expected.size() ? expected.get(i) : "<none>") + " but was " + (i < actual.size() ? actual.get(i) : "<none>"));
    }

    private static String normalize(ResultSet rs, int i, String typeName) throws SQLException {
        Object value = rs.getObject(i);
        if (value == null) {
            return null;
        }
        String type = typeName.toLowerCase();
        if (type.equals("timestamptz")) {
            return rs.getObject(i, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime().toString();
        }
        if (type.equals("timestamp") || type.equals("datetime")) {
            return rs.getObject(i, LocalDateTime.class).toString();
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
        }
        if (value instanceof Boolean b) {
            return b ? "1" : "0";
        }
        return value.toString();
    }
}
