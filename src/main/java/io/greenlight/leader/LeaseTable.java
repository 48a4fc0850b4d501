package io.greenlight.leader;

import io.greenlight.dialect.LeaseSql;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The target's greenlight_leader row: who holds the lease, its epoch (the fencing token) and when
 * it expires by the database's clock. The epoch only ever grows; every takeover adds one.
 */
public final class LeaseTable {

    /** What the row says now; {@code remainingMillis} is negative once the lease expired. */
    public record Holder(String holder, long epoch, long remainingMillis) {
    }

    private final DataSource target;
    private final LeaseSql sql;

    public LeaseTable(DataSource target, LeaseSql sql) {
        this.target = target;
        this.sql = sql;
    }

    public void create() throws SQLException {
        try (Connection c = target.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute(sql.createTable());
            st.execute(sql.seed());
        }
    }

    public Holder read() throws SQLException {
        try (Connection c = target.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.read())) {
            if (!rs.next()) {
                return new Holder("", 0, -1);
            }
            return new Holder(rs.getString(1), rs.getLong(2), rs.getLong(3));
        }
    }

    /** Takes the lease when it expired (or this holder had it): the new epoch, or empty when another holds it. */
    public OptionalLong claimIfExpired(String holder, Duration lease) throws SQLException {
        return claim(sql.claimIfExpired(), holder, lease, true);
    }

    /** Takes the lease whoever holds it (a Kubernetes Lease decided): the new epoch. */
    public long claim(String holder, Duration lease) throws SQLException {
        return claim(sql.claim(), holder, lease, false).orElseThrow();
    }

    private OptionalLong claim(String update, String holder, Duration lease, boolean conditional) throws SQLException {
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(false);
            try {
                int rows;
                try (PreparedStatement ps = c.prepareStatement(update)) {
                    ps.setString(1, holder);
                    ps.setLong(2, lease.toMillis());
                    if (conditional) {
                        ps.setString(3, holder);
                    }
                    rows = ps.executeUpdate();
                }
                if (rows == 0) {
                    c.rollback();
                    return OptionalLong.empty();
                }
                long epoch;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.read())) {
                    rs.next();
                    epoch = rs.getLong(2);
                }
                c.commit();
                return OptionalLong.of(epoch);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Extends this holder's lease; false when it is no longer this holder's at this epoch. */
    public boolean renew(String holder, long epoch, Duration lease) throws SQLException {
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(sql.renew())) {
            c.setAutoCommit(true);
            ps.setLong(1, lease.toMillis());
            ps.setString(2, holder);
            ps.setLong(3, epoch);
            return ps.executeUpdate() == 1;
        }
    }

    /** Lets the lease expire now (a clean shutdown): a standby takes over at once. */
    public void release(String holder, long epoch) throws SQLException {
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(sql.release())) {
            c.setAutoCommit(true);
            ps.setString(1, holder);
            ps.setLong(2, epoch);
            ps.executeUpdate();
        }
    }

    /** The check of {@link Fence} for the holder of {@code epoch}; idle transactions bounded by {@code idleLimit}. */
    public Fence fence(long epoch, Duration idleLimit) {
        return new Fence() {
            @Override
            public void check(Connection connection) throws SQLException {
                try (Statement st = connection.createStatement()) {
                    st.execute(sql.boundIdleTransaction(Math.max(1, idleLimit.toSeconds())));
                    try (ResultSet rs = st.executeQuery(sql.lockForCheck())) {
                        if (!rs.next()) {
                            throw new StaleLeaderException("The target's greenlight_leader row is gone: this instance (epoch "
                                    + epoch + ") cannot prove it leads, so it writes nothing. Restart Greenlight; it recreates the row.");
                        }
                        long current = rs.getLong(1);
                        if (current != epoch) {
                            throw new StaleLeaderException("This instance's leader epoch " + epoch + " is stale: " + rs.getString(2)
                                    + " took over with epoch " + current + " (greenlight_leader on the target). The transaction "
                                    + "was rolled back; this instance writes nothing more and restarts as a standby.");
                        }
                    }
                }
            }

            @Override
            public void after(Connection connection) {
                String unbound = sql.unboundIdleTransaction();
                if (unbound == null) {
                    return;
                }
                try (Statement st = connection.createStatement()) {
                    st.execute(unbound);
                } catch (SQLException ignored) {
                    // a broken connection: the pool discards it, and its session setting with it
                }
            }
        };
    }
}
