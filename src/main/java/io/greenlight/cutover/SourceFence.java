package io.greenlight.cutover;

import io.greenlight.leader.Fence;

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
 * {@link #prove} checks the fence holds before the drain marker is written.
 * Greenlight's own sessions (application_name greenlight*, Debezium*) and replication connections are
 * never terminated.
 */
final class SourceFence {

    private static final String TERMINATE = """
            SELECT coalesce(array_agg(pid) FILTER (WHERE pg_terminate_backend(pid)), '{}') FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
               AND coalesce(application_name, '') NOT LIKE 'greenlight%' AND coalesce(application_name, '') NOT LIKE 'Debezium%' AND (cardinality(?::text[]) = 0 OR usename = ANY(?::text[]))
            """;
    private static final String DIRECT_GRANTS = """
            SELECT a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
              JOIN pg_roles r ON r.oid = a.grantee
             WHERE c.oid = ?::regclass AND r.rolname = ? AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
            """;
    /** Why {@code role} can still write {@code table}: superuser, ownership, PUBLIC, or a role it inherits from. */
    private static final String WRITE_PATHS = """
            WITH p AS (SELECT ?::text AS role, ?::regclass AS tbl)
            SELECT 'role ' || quote_ident(r.rolname) || ' is a superuser (ALTER ROLE ' || quote_ident(r.rolname) || ' NOSUPERUSER; or fence with READ_ONLY)'
              FROM p JOIN pg_roles r ON r.rolname = p.role WHERE r.rolsuper
            UNION ALL
            SELECT 'role ' || quote_ident(p.role) || ' owns the table or inherits from its owner ' || quote_ident(o.rolname)
                   || ' (owners keep their privileges: ALTER TABLE ' || p.tbl::text || ' OWNER TO another role; or fence with READ_ONLY)'
              FROM p JOIN pg_class c ON c.oid = p.tbl JOIN pg_roles o ON o.oid = c.relowner
             WHERE pg_has_role(p.role, c.relowner, 'USAGE')
            UNION ALL
            SELECT CASE WHEN a.grantee = 0
                        THEN 'PUBLIC holds ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) || ' (REVOKE ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
                             || ' ON ' || p.tbl::text || ' FROM PUBLIC;)'
                        ELSE 'through role ' || quote_ident(g.rolname) || ', which holds ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
                             || ' (name it in fence.roles too, or REVOKE ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) || ' ON '
                             || p.tbl::text || ' FROM ' || quote_ident(g.rolname) || ';)' END
              FROM p JOIN pg_class c ON c.oid = p.tbl CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee
             WHERE a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
               AND (a.grantee = 0 OR g.rolname <> p.role AND pg_has_role(p.role, a.grantee, 'USAGE'))
             GROUP BY a.grantee, g.rolname, p.tbl
            """;
    /** Role settings that override the database's default_transaction_read_only (they win over it). */
    private static final String READ_WRITE_OVERRIDES = """
            SELECT 'role ' || quote_ident(r.rolname) || ' has ' || cfg || CASE WHEN s.setdatabase = 0 THEN '' ELSE ' in this database' END
                   || ', which overrides the READ_ONLY fence (ALTER ROLE ' || quote_ident(r.rolname)
                   || CASE WHEN s.setdatabase = 0 THEN '' ELSE ' IN DATABASE ' || quote_ident(current_database()) END
                   || ' RESET default_transaction_read_only;)'
              FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole CROSS JOIN LATERAL unnest(s.setconfig) cfg
             WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
               AND r.rolname <> current_user AND (cardinality(?::text[]) = 0 AND r.rolcanlogin OR r.rolname = ANY(?::text[]))
               AND lower(split_part(cfg, '=', 1)) = 'default_transaction_read_only'
               AND lower(split_part(cfg, '=', 2)) IN ('off', 'false', 'no', '0', 'of', 'f', 'n')
            """;

    private final Connection source;
    private final Fence epoch;

    SourceFence(Connection source) {
        this(source, Fence.NONE);
    }

    /** {@code epoch}: the leader's fencing token, checked in the transaction of the fence's statements. */
    SourceFence(Connection source, Fence epoch) {
        this.source = source;
        this.epoch = epoch;
    }

    /** The undo statements for the fence {@code fence} over {@code tables}. */
    List<String> plan(CutoverOptions.Fence fence, Collection<TableId> tables) throws SQLException {
        List<String> undo = new ArrayList<>();
        switch (fence.mode()) {
            case NONE -> {
            }
            case READ_ONLY -> {
                // A session on the fenced database starts read-only: the first statement lets the second run (by hand too).
                undo.add("SET SESSION default_transaction_read_only = off");
                undo.add("ALTER DATABASE " + TableId.quoteIdentifier(currentDatabase()) + " RESET default_transaction_read_only");
            }
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

    /** Puts the fence up and ends the sessions that could still write; returns the ended sessions' pids. */
    List<Integer> apply(CutoverOptions.Fence fence, Collection<TableId> tables) throws SQLException {
        raise(fence, tables);
        return fence.mode() == CutoverOptions.FenceMode.NONE ? List.of() : endSessions(fence);
    }

    /** The fence's statements alone (a guardrail runs them inside a transaction it rolls back). */
    void raise(CutoverOptions.Fence fence, Collection<TableId> tables) throws SQLException {
        fenced(() -> raiseUnfenced(fence, tables));
    }

    private void raiseUnfenced(CutoverOptions.Fence fence, Collection<TableId> tables) throws SQLException {
        try (Statement st = source.createStatement()) {
            switch (fence.mode()) {
                case NONE -> {
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
    }

    private List<Integer> endSessions(CutoverOptions.Fence fence) throws SQLException {
        // Open transactions of the application could still commit after the drain marker: end them.
        try (PreparedStatement ps = source.prepareStatement(TERMINATE)) {
            Array roles = source.createArrayOf("text", fence.roles().toArray());
            ps.setArray(1, roles);
            ps.setArray(2, roles);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                List<Integer> pids = new ArrayList<>();
                for (Object pid : (Object[]) rs.getArray(1).getArray()) {
                    pids.add(((Number) pid).intValue());
                }
                return pids;
            }
        }
    }

    /** Sessions of {@code pids} that still exist (pg_terminate_backend only signals them). */
    int stillRunning(List<Integer> pids) throws SQLException {
        if (pids.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = source.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(?)")) {
            ps.setArray(1, source.createArrayOf("int4", pids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Every way the fenced roles could still write after the fence went up: for REVOKE, each role
     * and table where has_table_privilege is still true, with the grant path; for READ_ONLY, role
     * settings that override the database default. Empty: the fence holds.
     */
    List<String> leaks(CutoverOptions.Fence fence, Collection<TableId> tables) throws SQLException {
        List<String> leaks = new ArrayList<>();
        switch (fence.mode()) {
            case NONE -> {
            }
            case READ_ONLY -> {
                try (PreparedStatement ps = source.prepareStatement(READ_WRITE_OVERRIDES)) {
                    Array roles = source.createArrayOf("text", fence.roles().toArray());
                    ps.setArray(1, roles);
                    ps.setArray(2, roles);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            leaks.add(rs.getString(1));
                        }
                    }
                }
            }
            case REVOKE -> {
                for (String role : fence.roles()) {
                    for (TableId table : tables) {
                        if (canWrite(role, table)) {
                            List<String> paths = writePaths(role, table);
                            leaks.add("role " + role + " can still write " + table + ": "
                                    + (paths.isEmpty() ? "has_table_privilege is true by a path Greenlight cannot name" : String.join("; ", paths)));
                        }
                    }
                }
            }
        }
        return leaks;
    }

    /** Whether the fence recorded by {@code record} still holds on the source (an operator may have lifted it by hand). */
    boolean stillUp(CutoverOptions.Fence fence, Collection<TableId> tables) throws SQLException {
        return switch (fence.mode()) {
            case NONE -> false;
            case READ_ONLY -> {
                try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("""
                        SELECT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                         CROSS JOIN LATERAL unnest(s.setconfig) cfg
                         WHERE d.datname = current_database() AND s.setrole = 0
                           AND lower(cfg) IN ('default_transaction_read_only=on', 'default_transaction_read_only=true'))""")) {
                    rs.next();
                    yield rs.getBoolean(1);
                }
            }
            case REVOKE -> {
                for (String role : fence.roles()) {
                    for (TableId table : tables) {
                        if (!canWrite(role, table)) {
                            yield true;
                        }
                    }
                }
                yield false;
            }
        };
    }

    void lift(List<String> undo) throws SQLException {
        fenced(() -> {
            try (Statement st = source.createStatement()) {
                for (String statement : undo) {
                    st.execute(statement);
                }
            }
        });
    }

    private interface Statements {
        void run() throws SQLException;
    }

    /**
     * Runs the statements (all transactional in PostgreSQL) in one transaction that first checks the
     * leader's epoch: an instance that lost the lease neither raises nor lifts a fence.
     */
    private void fenced(Statements statements) throws SQLException {
        if (epoch == Fence.NONE) {
            statements.run();
            return;
        }
        epoch.inTransaction(source, statements::run);
    }

    private boolean canWrite(String role, TableId table) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("SELECT has_table_privilege(?, ?, 'INSERT, UPDATE, DELETE, TRUNCATE')")) {
            ps.setString(1, role);
            ps.setString(2, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private List<String> writePaths(String role, TableId table) throws SQLException {
        List<String> paths = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement(WRITE_PATHS)) {
            ps.setString(1, role);
            ps.setString(2, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    paths.add(rs.getString(1));
                }
            }
        }
        return paths;
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
