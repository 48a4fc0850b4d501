package io.greenlight.reverse;

import io.greenlight.capture.SourceCleanup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The transactions reverse apply committed on the old source, recorded there in the same
 * transaction (greenlight.greenlight_reverse_tx, not captured): forward capture sees their changes
 * come by, and after a restart forward apply reads every change since the switch again. Those are
 * the new primary's own, not late writes to report; this record lets a restarted Greenlight tell
 * them apart. The newest {@value #KEPT} are kept.
 */
public final class ReverseTransactions {

    static final String TABLE = "greenlight.greenlight_reverse_tx";
    static final int KEPT = 200_000;
    /** Pruned every this many transactions. */
    private static final int PRUNE_EVERY = 1_000;

    private ReverseTransactions() {
    }

    static void createTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (seq bigserial PRIMARY KEY, xid bigint NOT NULL, "
                    + "committed_at timestamptz NOT NULL DEFAULT clock_timestamp())");
            st.execute("COMMENT ON TABLE " + TABLE + " IS '" + SourceCleanup.MARK + "'");
        }
    }

    /**
     * Records the caller's transaction (it must have written: it has an xid) and returns its id as
     * logical decoding reports it (32 bits); prunes the oldest now and then.
     */
    static long record(Connection c) throws SQLException {
        long seq;
        long xid;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("INSERT INTO " + TABLE
                + " (xid) VALUES (txid_current() & 4294967295) RETURNING seq, xid")) {
            rs.next();
            seq = rs.getLong(1);
            xid = rs.getLong(2);
        }
        if (seq % PRUNE_EVERY == 0) {
            try (Statement st = c.createStatement()) {
                st.execute("DELETE FROM " + TABLE + " WHERE seq <= " + (seq - KEPT));
            }
        }
        return xid;
    }

    /** Every recorded transaction id, oldest first; empty when there is no record (no reverse replication). */
    public static List<Long> load(Connection c) throws SQLException {
        List<Long> xids = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet exists = st.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return xids;
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT xid FROM " + TABLE + " ORDER BY seq")) {
            while (rs.next()) {
                xids.add(rs.getLong(1));
            }
        }
        return xids;
    }

    static void drop(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }
}
