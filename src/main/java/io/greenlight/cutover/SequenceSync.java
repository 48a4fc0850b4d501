package io.greenlight.cutover;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Moves each target table's generated keys past the source sequence's current value (and past
 * the largest key present), so the first insert on the target cannot collide. Reads only the
 * fenced source, whose rows are final and what the drain makes the target hold, so it can run
 * while the drain is still applying; raising a target's key counter never conflicts with apply's
 * inserts of explicit keys.
 */
final class SequenceSync {

    private final Connection source;
    private final Connection target;
    private final Dialect dialect;

    SequenceSync(Connection source, Connection target, Dialect dialect) {
        this.source = source;
        this.target = target;
        this.dialect = dialect;
    }

    /** One line per synced sequence: "public.orders.id: source next 1042 → target continues at 1042". */
    List<String> sync(Collection<SourceTable> tables) throws SQLException {
        List<String> synced = new ArrayList<>();
        for (SourceTable table : tables) {
            for (SourceColumn column : table.columns()) {
                String sequence = sequenceOf(table, column);
                if (sequence == null) {
                    continue;
                }
                long sourceNext = nextValue(sequence);
                long targetNext = Math.max(sourceNext, maxSourceKey(table, column) + 1);
                try (Statement st = target.createStatement()) {
                    st.execute(dialect.continueKeysAt(table, column.name(), targetNext));
                }
                synced.add(table.id() + "." + column.name() + ": source sequence " + sequence + " next " + sourceNext
                        + ", target continues at " + targetNext);
            }
        }
        return synced;
    }

    private String sequenceOf(SourceTable table, SourceColumn column) throws SQLException {
        boolean generated = column.identity() || column.defaultExpression() != null && column.defaultExpression().startsWith("nextval(");
        if (!generated) {
            return null;
        }
        // The column's own sequence (serial, identity, OWNED BY), else the one its default's nextval() uses.
        try (PreparedStatement ps = source.prepareStatement("SELECT coalesce(pg_get_serial_sequence(?, ?), "
                + "(SELECT d.refobjid::regclass::text FROM pg_attrdef ad "
                + "JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum "
                + "JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid "
                + "AND d.refclassid = 'pg_class'::regclass "
                + "JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' "
                + "WHERE ad.adrelid = ?::regclass AND a.attname = ? LIMIT 1))")) {
            ps.setString(1, table.id().quoted());
            ps.setString(2, column.name());
            ps.setString(3, table.id().quoted());
            ps.setString(4, column.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private long nextValue(String sequence) throws SQLException {
        // pg_sequence_last_value is NULL until nextval was first called.
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT coalesce(pg_sequence_last_value(?::regclass) + s.seqincrement, s.seqstart) "
                        + "FROM pg_sequence s WHERE s.seqrelid = ?::regclass")) {
            ps.setString(1, sequence);
            ps.setString(2, sequence);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long maxSourceKey(SourceTable table, SourceColumn column) throws SQLException {
        String sql = "SELECT coalesce(max(" + TableId.quoteIdentifier(column.name()) + "), 0) FROM " + table.id().quoted();
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
