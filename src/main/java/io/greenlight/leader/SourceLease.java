package io.greenlight.leader;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The leader lease held in the source's greenlight.greenlight_leader row: holder, epoch (the
 * fencing token; every takeover adds one) and expiry in milliseconds of the source's own clock,
 * so instances whose clocks differ agree on when it ran out. On the source because nothing runs
 * without it (capture, the cutover's fence and its recovery), while a start must be able to lift
 * a fence from the source alone when the target is down.
 */
public final class SourceLease {

    static final String TABLE = "greenlight.greenlight_leader";
    private static final String NOW = "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint)";

    /** What the row says now; {@code remainingMillis} is negative once the lease expired. */
    public record Holder(String holder, long epoch, long remainingMillis) {
    }

    private final DataSource source;
    private final String literal;

    /** {@code name}: the replication slot, so that migrations of one source through different slots elect apart. */
    public SourceLease(DataSource source, String name) {
        this.source = source;
        this.literal = "'" + name.replace("'", "''") + "'";
    }

    public void create() throws SQLException {
        try (Connection c = writable(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS greenlight");
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (name text PRIMARY KEY, holder text NOT NULL, "
                    + "epoch bigint NOT NULL, expires_at_ms bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
            st.execute("COMMENT ON TABLE " + TABLE + " IS '" + io.greenlight.capture.SourceCleanup.MARK + "'");
            st.execute("INSERT INTO " + TABLE + " (name, holder, epoch, expires_at_ms) VALUES (" + literal + ", '', 0, 0) ON CONFLICT (name) DO NOTHING");
        }
    }

    public Holder read() throws SQLException {
        try (Connection c = writable(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT holder, epoch, expires_at_ms - " + NOW + " FROM " + TABLE + " WHERE name = " + literal + "")) {
            return rs.next() ? new Holder(rs.getString(1), rs.getLong(2), rs.getLong(3)) : new Holder("", 0, -1);
        }
    }

    /** Takes the lease when it expired, or this holder had it: the new epoch; empty while another holds it. */
    public OptionalLong claimIfExpired(String holder, Duration lease) throws SQLException {
        return claim("UPDATE " + TABLE + " SET holder = ?, epoch = epoch + 1, expires_at_ms = " + NOW + " + ?, updated_at = now() "
                + "WHERE name = " + literal + " AND (expires_at_ms < " + NOW + " OR holder = ?) RETURNING epoch", holder, lease, true);
    }

    /** Takes the lease whoever holds it (a Kubernetes Lease decided who leads): the new epoch. */
    public long claim(String holder, Duration lease) throws SQLException {
        return claim("UPDATE " + TABLE + " SET holder = ?, epoch = epoch + 1, expires_at_ms = " + NOW + " + ?, updated_at = now() "
                + "WHERE name = " + literal + " RETURNING epoch", holder, lease, false).orElseThrow(
                () -> new SQLException(TABLE + " on the source has no row; restart Greenlight, it creates the row again"));
    }

    private OptionalLong claim(String update, String holder, Duration lease, boolean conditional) throws SQLException {
        try (Connection c = writable(); PreparedStatement ps = c.prepareStatement(update)) {
            ps.setString(1, holder);
            ps.setLong(2, lease.toMillis());
            if (conditional) {
                ps.setString(3, holder);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Extends this holder's lease; false when it is no longer this holder's at this epoch. */
    public boolean renew(String holder, long epoch, Duration lease) throws SQLException {
        try (Connection c = writable(); PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET expires_at_ms = "
                + NOW + " + ?, updated_at = now() WHERE name = " + literal + " AND holder = ? AND epoch = ?")) {
            ps.setLong(1, lease.toMillis());
            ps.setString(2, holder);
            ps.setLong(3, epoch);
            return ps.executeUpdate() == 1;
        }
    }

    /** Lets the lease expire now (a clean shutdown): a standby takes over at once. */
    public void release(String holder, long epoch) throws SQLException {
        try (Connection c = writable(); PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE
                + " SET expires_at_ms = 0, updated_at = now() WHERE name = " + literal + " AND holder = ? AND epoch = ?")) {
            ps.setString(1, holder);
            ps.setLong(2, epoch);
            ps.executeUpdate();
        }
    }

    /** The check the cutover's source transactions (journal, fence) run first; a paused one ends after {@code idleLimit}. */
    public Fence fence(long epoch, Duration idleLimit) {
        return new EpochFence(epoch, TABLE + " on the source",
                "SET LOCAL idle_in_transaction_session_timeout = '" + Math.max(1, idleLimit.toSeconds()) + "s'",
                "SELECT epoch, holder FROM " + TABLE + " WHERE name = " + literal + " FOR SHARE", null);
    }

    /** Autocommit, and writable under a READ_ONLY cutover fence (a session may override that default). */
    private Connection writable() throws SQLException {
        Connection c = source.getConnection();
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("SET SESSION default_transaction_read_only = off");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }
}
