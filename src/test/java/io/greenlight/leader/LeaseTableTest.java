package io.greenlight.leader;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.exceptionsorter.MySQLExceptionSorter;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.greenlight.DataSources;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LeaseSql;
import io.greenlight.dialect.MySqlDialect;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.testing.TargetEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The database-held lease on the target: one holder at a time, a growing epoch, expiry by the database's clock. */
class LeaseTableTest {

    private static AgroalDataSource pool(TargetEngine engine, String database) throws Exception {
        engine.createDatabase(database);
        return engine == TargetEngine.POSTGRES
                ? DataSources.pool(engine.jdbcUrl(database), engine.username(), Optional.empty(), 4, org.postgresql.Driver.class,
                new PostgreSQLExceptionSorter())
                : DataSources.pool(Dialect.connectionUrl(engine.jdbcUrl(database)), engine.username(), Optional.empty(), 4,
                com.mysql.cj.jdbc.Driver.class, new MySQLExceptionSorter());
    }

    private static LeaseSql sql(TargetEngine engine) {
        return LeaseSql.of(engine == TargetEngine.POSTGRES ? new PostgresDialect() : new MySqlDialect());
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aLeaseHeldByAnotherIsTakenOnlyOnceItExpiredAndTheEpochGrows(TargetEngine engine) throws Exception {
        try (AgroalDataSource target = pool(engine, "lease_expiry")) {
            LeaseTable lease = new LeaseTable(target, sql(engine));
            lease.create();
            lease.create(); // a second instance's start keeps the row
            long first = lease.claimIfExpired("a", Duration.ofSeconds(2)).orElseThrow();
            assertEquals(OptionalLong.empty(), lease.claimIfExpired("b", Duration.ofSeconds(2)), "a holds it");
            assertTrue(lease.renew("a", first, Duration.ofSeconds(2)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            OptionalLong second = OptionalLong.empty();
            while (second.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                second = lease.claimIfExpired("b", Duration.ofSeconds(30));
            }
            assertEquals(first + 1, second.orElseThrow(), "b took the expired lease with the next epoch");
            assertFalse(lease.renew("a", first, Duration.ofSeconds(2)), "a's renewal fails: it lost the lease");
            assertEquals("b", lease.read().holder());
        }
    }

    /**
     * A leader paused inside an apply transaction (after the check, before its commit) holds the row's
     * lock: the database ends its idle session after the bound, so the takeover proceeds and the
     * paused transaction can commit nothing when it wakes up.
     */
    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aTransactionPausedAfterItsCheckDoesNotBlockTheTakeoverAndCannotCommitAfterIt(TargetEngine engine) throws Exception {
        try (AgroalDataSource target = pool(engine, "lease_paused")) {
            LeaseTable lease = new LeaseTable(target, sql(engine));
            lease.create();
            long old = lease.claimIfExpired("paused", Duration.ofMillis(1)).orElseThrow();
            Fence fence = lease.fence(old, Duration.ofSeconds(2));
            try (Connection paused = engine.connect("lease_paused")) {
                paused.setAutoCommit(false);
                fence.check(paused); // the lock is held from here; then the process "pauses"
                Thread.sleep(100);
                long taken = CompletableFuture.supplyAsync(() -> {
                    try {
                        return lease.claimIfExpired("standby", Duration.ofSeconds(30)).orElseThrow();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).get(60, TimeUnit.SECONDS);
                assertEquals(old + 1, taken);
                assertThrows(Exception.class, () -> {
                    fence.check(paused);
                    paused.commit();
                }, "the woken transaction commits nothing");
            }
            Fence stale = lease.fence(old, Duration.ofSeconds(2));
            try (Connection c = target.getConnection()) {
                c.setAutoCommit(false);
                StaleLeaderException refused = assertThrows(StaleLeaderException.class, () -> stale.check(c));
                assertTrue(refused.getMessage().contains("standby took over with epoch " + (old + 1)), refused.getMessage());
                c.rollback();
            }
        }
    }
}
