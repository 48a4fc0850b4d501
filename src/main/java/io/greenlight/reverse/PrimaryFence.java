package io.greenlight.reverse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops the application's writes on a MySQL/MariaDB new primary before a rollback drains it:
 * {@code read_only} on (Greenlight's own user needs READ_ONLY ADMIN or SUPER to write its marker
 * and keep applying forward), and every session of the application's users (or of every other
 * user when none are named) ended, so no transaction that
 * began before the fence commits after the marker. The undo is planned (and persisted) first.
 */
public final class PrimaryFence {

    private final Connection primary;

    public PrimaryFence(Connection primary) {
        this.primary = primary;
    }

    /** The statements that lift the fence; empty when read_only is on already (the operator's, not ours). */
    public List<String> plan() throws SQLException {
        try (Statement st = primary.createStatement(); ResultSet rs = st.executeQuery("SELECT @@GLOBAL.read_only")) {
            rs.next();
            return rs.getInt(1) == 0 ? List.of("SET GLOBAL read_only = OFF") : List.of();
        }
    }

    /**
     * Ends the application's sessions, turns read_only on, ends those that slipped in; returns the
     * sessions ended. {@code roles}: the application's users (the cutover's fence.roles); empty: every
     * user but Greenlight's.
     */
    public int apply(String greenlightUser, List<String> roles) throws SQLException {
        int ended = endSessions(greenlightUser, roles);
        try (Statement st = primary.createStatement()) {
            st.execute("SET GLOBAL read_only = ON");
        }
        return ended + endSessions(greenlightUser, roles);
    }

    /** Application sessions still connected (ended ones disappear a moment after KILL). */
    public int stillConnected(String greenlightUser, List<String> roles) throws SQLException {
        return sessions(greenlightUser, roles).size();
    }

    public void lift(List<String> undo) throws SQLException {
        try (Statement st = primary.createStatement()) {
            for (String statement : undo) {
                st.execute(statement);
            }
        }
    }

    private int endSessions(String greenlightUser, List<String> roles) throws SQLException {
        List<Long> ids = sessions(greenlightUser, roles);
        for (long id : ids) {
            try (Statement st = primary.createStatement()) {
                st.execute("KILL CONNECTION " + id);
            } catch (SQLException gone) {
                // ended on its own meanwhile (unknown thread id)
            }
        }
        return ids.size();
    }

    private List<Long> sessions(String greenlightUser, List<String> roles) throws SQLException {
        List<Long> ids = new ArrayList<>();
        String only = roles.isEmpty() ? "" : " AND USER IN (" + String.join(", ", java.util.Collections.nCopies(roles.size(), "?")) + ")";
        try (PreparedStatement ps = primary.prepareStatement("SELECT ID FROM information_schema.PROCESSLIST "
                + "WHERE USER NOT IN (?, 'system user', 'event_scheduler', 'unauthenticated user') AND ID <> CONNECTION_ID() "
                + "AND COMMAND NOT IN ('Binlog Dump', 'Daemon', 'Killed')" + only)) {
            ps.setString(1, greenlightUser);
            for (int i = 0; i < roles.size(); i++) {
                ps.setString(i + 2, roles.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }
}
