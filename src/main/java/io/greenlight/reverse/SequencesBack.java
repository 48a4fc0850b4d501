package io.greenlight.reverse;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Rollback's sequence sync: each serial or identity column's sequence on the old source continues
 * after every key the new primary handed out (its AUTO_INCREMENT, or a PostgreSQL target's own
 * sequence) and every key the old source
 * holds, so the application's next insert on the old source takes a fresh key.
 */
public final class SequencesBack {

    private SequencesBack() {
    }

    /** Returns one line per sequence set: "public.accounts.id: next 212". */
    public static List<String> sync(Connection source, Connection primary, Collection<SourceTable> tables) throws SQLException {
        List<String> done = new ArrayList<>();
        for (SourceTable table : tables) {
            for (SourceColumn column : table.columns()) {
                boolean generatedKey = !column.array() && (column.identity()
                        || column.defaultExpression() != null && column.defaultExpression().startsWith("nextval("));
                if (!generatedKey) {
                    continue;
                }
                String sequence = ownedSequence(source, table, column);
                if (sequence == null) {
                    continue; // a default from a sequence the column does not own: the operator's to set
                }
                long next = Math.max(nextOnPrimary(primary, table, column), maxPlusOne(source, table, column));
                try (PreparedStatement ps = source.prepareStatement("SELECT setval(?, ?, false)")) {
                    ps.setString(1, sequence);
                    ps.setLong(2, Math.max(next, 1));
                    ps.executeQuery().close();
                }
                done.add(table.id() + "." + column.name() + ": next " + Math.max(next, 1));
            }
        }
        return done;
    }

    /** The sequence a PostgreSQL column owns (serial or identity), quoted, or null when it owns none. */
    private static String ownedSequence(Connection c, SourceTable table, SourceColumn column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
            ps.setString(1, table.id().quoted());
            ps.setString(2, column.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** The key the new primary would hand out next: its AUTO_INCREMENT, or its own sequence (PostgreSQL target). */
    private static long nextOnPrimary(Connection primary, SourceTable table, SourceColumn column) throws SQLException {
        if (!"PostgreSQL".equals(primary.getMetaData().getDatabaseProductName())) { // else MySQL/MariaDB
            return autoIncrement(primary, table.id().table());
        }
        String sequence = ownedSequence(primary, table, column);
        if (sequence == null) {
            return 1;
        }
        try (Statement st = primary.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM " + sequence)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long autoIncrement(Connection primary, String table) throws SQLException {
        try (PreparedStatement ps = primary.prepareStatement("SELECT AUTO_INCREMENT FROM information_schema.TABLES "
                + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 1;
            }
        }
    }

    private static long maxPlusOne(Connection source, SourceTable table, SourceColumn column) throws SQLException {
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max("
                + io.greenlight.schema.TableId.quoteIdentifier(column.name()) + "), 0) + 1 FROM " + table.id().quoted())) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
