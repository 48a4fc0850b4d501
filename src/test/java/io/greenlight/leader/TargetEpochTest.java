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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The target's fencing token: raised by each new leader, checked under a lock by every apply transaction. */
class TargetEpochTest {

    static AgroalDataSource pool(TargetEngine engine, String database) throws Exception {
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

    /**
     * A leader paused inside an apply transaction (after its check, before its commit) holds the
     * row's lock: the database ends its idle session after the bound, so the new leader's raise goes
     * through, and the woken transaction commits nothing.
     */
    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aTransactionPausedAfterItsCheckDoesNotBlockTheTakeoverAndCannotCommitAfterIt(TargetEngine engine) throws Exception {
        try (AgroalDataSource target = pool(engine, "epoch_paused")) {
            TargetEpoch epochs = new TargetEpoch(target, sql(engine), "greenlight");
            epochs.raise("paused", 1);
            Fence fence = epochs.fence(1, Duration.ofSeconds(2));
            try (Connection paused = engine.connect("epoch_paused")) {
                paused.setAutoCommit(false);
                fence.check(paused); // the lock is held from here; then the process "pauses"
                CompletableFuture.runAsync(() -> {
                    try {
                        epochs.raise("standby", 2);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).get(60, TimeUnit.SECONDS);
                assertThrows(Exception.class, () -> {
                    fence.check(paused);
                    paused.commit();
                }, "the woken transaction commits nothing");
            }
            try (Connection c = target.getConnection()) {
                c.setAutoCommit(false);
                StaleLeaderException refused = assertThrows(StaleLeaderException.class, () -> fence.check(c));
                assertTrue(refused.getMessage().contains("standby took over with epoch 2"), refused.getMessage());
                c.rollback();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aLeaderOvertakenBeforeItRaisedTheEpochIsRefused(TargetEngine engine) throws Exception {
        try (AgroalDataSource target = pool(engine, "epoch_overtaken")) {
            TargetEpoch epochs = new TargetEpoch(target, sql(engine), "greenlight");
            epochs.raise("newer", 5);
            StaleLeaderException refused = assertThrows(StaleLeaderException.class, () -> epochs.raise("older", 4));
            assertTrue(refused.getMessage().contains("at epoch 5 (newer), past this instance's 4"), refused.getMessage());
            epochs.raise("newer", 5); // raising to one's own epoch again (a pipeline restart) is fine
        }
    }
}
