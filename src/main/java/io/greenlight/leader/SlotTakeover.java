package io.greenlight.leader;

import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A new leader ends the session that still reads its replication slot: the instance that led
 * before is dead or frozen (its lease expired), and a frozen process keeps its walsender — and so
 * the slot — until wal_sender_timeout (a minute by default), which would hold capture up that long.
 */
public final class SlotTakeover {

    private static final Logger LOG = Logger.getLogger(SlotTakeover.class);

    private SlotTakeover() {
    }

    /** Terminates the slot's reader, if any; returns its pid, or 0 when the slot was free (or absent). */
    public static int endReader(DataSource source, String slot) throws SQLException {
        try (Connection c = source.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT active_pid, pg_terminate_backend(active_pid) FROM pg_replication_slots "
                        + "WHERE slot_name = ? AND active_pid IS NOT NULL AND active_pid <> pg_backend_pid()")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                int pid = rs.getInt(1);
                LOG.warnf("Replication slot %s was still read by pid %d (the instance that led before, dead or frozen): "
                        + "ended it, capture takes the slot over (terminated: %s)", slot, pid, rs.getBoolean(2));
                return pid;
            }
        }
    }
}
