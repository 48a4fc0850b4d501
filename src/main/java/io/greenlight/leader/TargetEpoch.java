package io.greenlight.leader;

import io.greenlight.dialect.LeaseSql;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The target's greenlight_leader row: the highest leader epoch the target has seen. A new leader
 * raises it before apply's first transaction; each apply transaction checks it ({@link #fence}),
 * so the instance that led before commits nothing more on the target.
 */
public final class TargetEpoch {

    private final DataSource target;
    private final LeaseSql sql;
    private final String name;

    /** {@code migration}: the topic prefix, which names this migration's rows on the target (as in greenlight_offsets). */
    public TargetEpoch(DataSource target, LeaseSql sql, String migration) {
        this.target = target;
        this.sql = sql;
        this.name = LeaseSql.literal(migration);
    }

    public void create() throws SQLException {
        try (Connection c = target.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute(sql.createTable());
            st.execute(sql.seed(name));
        }
    }

    /**
     * Raises the target's epoch to {@code epoch}, held by {@code holder}; waits for an apply
     * transaction of the instance before to end. Throws {@link StaleLeaderException} when the target
     * already saw a higher epoch (this instance was overtaken).
     */
    public void raise(String holder, long epoch) throws SQLException {
        create();
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement(sql.raise(name))) {
                ps.setString(1, holder);
                ps.setLong(2, epoch);
                ps.setLong(3, epoch);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.read(name))) {
                rs.next();
                if (rs.getLong(2) != epoch) {
                    throw new StaleLeaderException("The target's greenlight_leader is at epoch " + rs.getLong(2) + " ("
                            + rs.getString(1) + "), past this instance's " + epoch + ": another instance leads. This one "
                            + "writes nothing and restarts as a standby.");
                }
            }
        }
    }

    /** The check each apply transaction runs first; a paused transaction is ended after {@code idleLimit}. */
    public Fence fence(long epoch, Duration idleLimit) {
        return new EpochFence(epoch, "greenlight_leader on the target", sql.boundIdleTransaction(Math.max(1, idleLimit.toSeconds())),
                sql.lockForCheck(name), sql.unboundIdleTransaction());
    }
}
