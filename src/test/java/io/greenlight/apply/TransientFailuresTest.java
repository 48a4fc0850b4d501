package io.greenlight.apply;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which target errors apply retries: the PostgreSQL target's restart and deadlock states pass, data errors do not. */
class TransientFailuresTest {

    @Test
    void aPostgresTargetStartingUpShuttingDownOrDeadlockedIsRetried() {
        assertTrue(ApplyLoop.isTransient(new SQLException("FATAL: the database system is not yet accepting connections", "57P03")));
        assertTrue(ApplyLoop.isTransient(new SQLException("FATAL: terminating connection due to administrator command", "57P01")));
        assertTrue(ApplyLoop.isTransient(new SQLException("ERROR: deadlock detected", "40P01")));
        assertTrue(ApplyLoop.isTransient(new SQLException("wrapped", new SQLException("I/O error", "08006"))));
    }

    @Test
    void constraintAndDataErrorsStopApply() {
        assertFalse(ApplyLoop.isTransient(new SQLException("duplicate key value violates unique constraint", "23505")));
        assertFalse(ApplyLoop.isTransient(new SQLException("invalid input syntax for type numeric", "22P02")));
    }
}
