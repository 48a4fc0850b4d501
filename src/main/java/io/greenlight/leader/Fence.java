package io.greenlight.leader;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The fencing token's check, run first inside a target transaction that is about to write: it
 * locks the leader row against a takeover until the transaction ends and throws
 * {@link StaleLeaderException} when the epoch moved on, so the caller rolls back. {@link #after}
 * runs once the transaction ended (committed or rolled back).
 */
public interface Fence {

    /** No election (tests of a single component): every write passes. */
    Fence NONE = new Fence() {
        @Override
        public void check(Connection connection) {
        }

        @Override
        public void after(Connection connection) {
        }
    };

    void check(Connection connection) throws SQLException;

    void after(Connection connection);

    /** Work done inside a fenced transaction. */
    @FunctionalInterface
    interface Work {
        void run() throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on {@code connection} that first checks the epoch:
     * committed when the check and the work succeed, rolled back otherwise; the connection's
     * auto-commit is restored either way.
     */
    default void inTransaction(Connection connection, Work work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            check(connection);
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            after(connection);
            connection.setAutoCommit(autoCommit);
        }
    }
}
