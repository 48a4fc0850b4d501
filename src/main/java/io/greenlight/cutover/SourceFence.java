package io.greenlight.cutover;

import io.greenlight.schema.TableId;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Stops application writes on the source. {@link #plan} returns the statements that lift the
 * fence again; they are persisted before the fence goes up, so a crash can always be undone.
 * Greenlight's own sessions (application_name greenlight*, Debezium*) and replication connections are
 * never terminated.
 */
final class SourceFence {

    private static final String TERMINATE = """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
               AND coalesce(application_name, '') NOT LIKE 'greenlight%' AND coalesce(application_name, '') NOT LIKE 'Debezium%' AND (cardinality(?::text[]) = 0 OR usename = ANY(?::text[]))
            """;
    private static final String DIRECT_GRANTS = """
            SELECT a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
              JOIN pg_roles r ON r.oid = a.grantee
             WHERE c.oid = ?::regclass AND r.rolname = ? AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
            """;

    private final Connection source;

    SourceFence(Connection source) {
        this.source = source;
    }

    /** The undo statements for the fence {@code fence} over {@code tables}. */
    List<String> plan(CutoverOptions.Fence fence, Collection<TableId> tables) throws SQLException {
        List<String> undo = new ArrayList<>();
        switch (fence.mode()) {
            case NONE -> {
            }
            case READ_ONLY -> undo.add("ALTER DATABASE " + TableId.quoteIdentifier(currentDatabase()) + " RESET default_transaction_read_only");
            case REVOKE -> {
                for (String role : fence.roles()) {
                    for (TableId table : tables) {
                        List<String> granted = directGrants(table, role);
                        if (!granted.isEmpty()) {
                            undo.add("GRANT " + String.join(", ", granted) + " ON TABLE " + table.quoted() + " TO " + TableId.quoteIdentifier(role));
                        }
                    }
                }
            }
        }
        return undo;
    }

    /** Puts the fence up and ends the sessions that could still write; returns how many ended. */
    int apply(CutoverOptions.Fence fence, Collection<TableId> tables) throws SQLException {
        try (Statement st = source.createStatement()) {
            switch (fence.mode()) {
                case NONE -> {
                    return 0;
                }
                case READ_ONLY -> st.execute("ALTER DATABASE " + TableId.quoteIdentifier(currentDatabase()) + " SET default_transaction_read_only = on");
                case REVOKE -> {
                    for (String role : fence.roles()) {
                        for (TableId table : tables) {
                            st.execute("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE " + table.quoted() + " FROM " + TableId.quoteIdentifier(role));
                        }
                    }
                }
            }
        }
        // Open transactions of the application could still commit after the drain marker: end them.
        try (PreparedStatement ps = source.prepareStatement(TERMINATE)) {
            Array roles = source.createArrayOf("text", fence.roles().toArray());
            ps.setArray(1, roles);
            ps.setArray(2, roles);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    void lift(List<String> undo) throws SQLException {
        try (Statement st = source.createStatement()) {
            for (String statement : undo) {
                st.execute(statement);
            }
        }
    }

    private List<String> directGrants(TableId table, String role) throws SQLException {
        List<String> privileges = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement(DIRECT_GRANTS)) {
            ps.setString(1, table.quoted());
            ps.setString(2, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    privileges.add(rs.getString(1));
                }
            }
        }
        return privileges;
    }

    private String currentDatabase() throws SQLException {
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
