package io.greenlight.leader;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@link Fence} on one database: bounds the transaction's idle time, reads the leader row under
 * a share lock and refuses when its epoch is not this instance's.
 */
final class EpochFence implements Fence {

    private final long epoch;
    private final String where;
    private final String bound;
    private final String lock;
    private final String unbound;

    /**
     * @param where   the table named in the refusal, e.g. "greenlight_leader on the target"
     * @param bound   the statement that bounds the transaction's idle time
     * @param lock    selects (epoch, holder) of the leader row with a share lock
     * @param unbound undoes {@code bound} after the transaction, or null
     */
    EpochFence(long epoch, String where, String bound, String lock, String unbound) {
        this.epoch = epoch;
        this.where = where;
        this.bound = bound;
        this.lock = lock;
        this.unbound = unbound;
    }

    @Override
    public void check(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(bound);
            try (ResultSet rs = st.executeQuery(lock)) {
                if (!rs.next()) {
                    throw new StaleLeaderException("The leader row of " + where + " is gone: this instance (epoch " + epoch
                            + ") cannot prove it leads, so it writes nothing. Restart Greenlight; it creates the row again.");
                }
                long current = rs.getLong(1);
                if (current != epoch) {
                    throw new StaleLeaderException("This instance's leader epoch " + epoch + " is stale: " + rs.getString(2)
                            + " took over with epoch " + current + " (" + where + "). The transaction was rolled back; "
                            + "this instance writes nothing more and restarts as a standby.");
                }
            }
        }
    }

    @Override
    public void after(Connection connection) {
        if (unbound == null) {
            return;
        }
        try (Statement st = connection.createStatement()) {
            st.execute(unbound);
        } catch (SQLException ignored) {
            // a broken connection: the pool discards it, and its session setting with it
        }
    }
}
