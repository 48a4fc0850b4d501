package io.greenlight.backfill;

import io.agroal.api.AgroalDataSource;
import io.greenlight.DataSources;
import io.greenlight.apply.TargetTables;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.testing.PostgresServer;
import io.greenlight.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backfill's pacing against a real source of its own (its server settings are changed to
 * strain it): the cap in rows per second, and adaptive waiting while the source's commits hang or
 * a physical standby replays behind.
 */
class CopyThrottleTest {

    private static PostgresServer source;
    private static PostgresServer standby;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PipelineMeters meters = new PipelineMeters(registry, new LagTracker());
    private CopyThrottle throttle;

    @BeforeAll
    static void startSource() throws Exception {
        source = PostgresServer.start();
        // commits wait for synchronous standbys as in production (the test server's default is off, for speed)
        sql("ALTER DATABASE postgres SET synchronous_commit = on");
    }

    @AfterAll
    static void stopSource() throws Exception {
        if (standby != null) {
            standby.close();
        }
        source.close();
    }

    @AfterEach
    void releaseTheSource() throws Exception {
        sql("ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()");
        if (throttle != null) {
            throttle.close();
        }
    }

    @Test
    void aCapOfTwoThousandRowsPerSecondMakesReadingSixThousandRowsTakeAtLeastTwoSeconds() throws Exception {
        throttle = throttle(2000, Map.of("greenlight.backfill.throttle.mode", "off"));
        long started = System.nanoTime();
        for (int batch = 0; batch < 6; batch++) {
            throttle.acquire(1000);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // 200 rows may go at once (a tenth of a second's worth); the other 5,800 at 2,000 per second
        assertTrue(seconds >= 2.5, "6,000 rows at 2,000/s went in " + seconds + " s");
    }

    @Test
    void aChunkOfFourThousandRowsCappedAtOneThousandPerSecondTakesTheBackfillAtLeastThreeAndAHalfSeconds() throws Exception {
        source.createDatabase("paced_source");
        source.createDatabase("paced_target");
        try (Connection c = source.connect("paced_source"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE paced (id int PRIMARY KEY, note text)");
            st.execute("INSERT INTO paced SELECT g, md5(g::text) FROM generate_series(1, 4000) g");
        }
        throttle = throttle(1000, Map.of("greenlight.backfill.throttle.mode", "off"));
        TableId id = new TableId("public", "paced");
        try (AgroalDataSource src = DataSources.source(source.jdbcUrl("paced_source"), "postgres", Optional.empty(), 4);
             AgroalDataSource tgt = DataSources.target(source.jdbcUrl("paced_target"), "postgres", Optional.empty(), 4);
             Connection catalog = src.getConnection(); Connection target = tgt.getConnection()) {
            SourceTable table = new SourceCatalog(catalog).tables(List.of(id)).get(id);
            Dialect dialect = Dialect.forTarget(source.jdbcUrl("paced_target"), "PostgreSQL 15", LossyPolicy.none());
            TargetTables.create(target, dialect, List.of(table));
            BackfillStore store = new BackfillStore(dialect);
            store.createTable(target);
            store.startTable(target, table, 1, null);
            ChunkCopier copier = new ChunkCopier(src, tgt, false, dialect, store, 100, throttle);
            long started = System.nanoTime();
            try (ExportedSnapshot snapshot = ExportedSnapshot.fresh(src)) {
                assertEquals(4000, copier.copy(table, new Chunk(id, 0, 0, -1), snapshot));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            // 100 rows may go at once; the other 3,900 at 1,000 per second
            assertTrue(seconds >= 3.5, "4,000 rows at 1,000/s were copied in " + seconds + " s");
        }
    }

    @Test
    void aBatchLargerThanTheCapPerSecondStillGoesThroughInPieces() throws Exception {
        throttle = throttle(500, Map.of("greenlight.backfill.throttle.mode", "off"));
        CompletableFuture<Void> read = CompletableFuture.runAsync(() -> acquire(1000));
        read.get(30, TimeUnit.SECONDS);
    }

    @Test
    void whileCommitsOnTheSourceHangTheCopyWaitsAndStatusSaysWhy() throws Exception {
        throttle = throttle(0, Map.of());
        AtomicLong batches = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                acquire(100);
                batches.incrementAndGet();
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> batches.get() > 10); // an unstrained source lets the copy go
            hangCommits();
            await().atMost(Duration.ofSeconds(30)).until(() -> throttle.view().waiting());
            CopyThrottle.View view = throttle.view();
            assertTrue(view.reason().contains("a commit on the source takes") && view.reason().contains("max-commit-latency"),
                    view.reason());
            assertEquals(1.0, registry.get("greenlight.backfill.waiting").gauge().value());
            long whileWaiting = batches.get();
            Thread.sleep(1000);
            assertTrue(batches.get() <= whileWaiting + 1, "the copy went on while commits hung");

            sql("ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()");
            await().atMost(Duration.ofSeconds(30)).until(() -> batches.get() > whileWaiting + 10);
            assertFalse(throttle.view().waiting());
            assertTrue(throttle.view().waitedSeconds() > 0);
            assertEquals(0.0, registry.get("greenlight.backfill.waiting").gauge().value());
            assertTrue(registry.get("greenlight.backfill.waited.seconds").counter().count() > 0);
        } finally {
            stop.set(true);
        }
        copy.get(30, TimeUnit.SECONDS);
    }

    @Test
    void withAdaptiveModeOffHangingCommitsDoNotStopTheCopy() throws Exception {
        throttle = throttle(0, Map.of("greenlight.backfill.throttle.mode", "off"));
        hangCommits();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); // longer than a probe of the source takes to hang
        CompletableFuture.runAsync(() -> {
            while (System.nanoTime() < until) {
                acquire(100);
            }
        }).get(30, TimeUnit.SECONDS);
        assertFalse(throttle.view().waiting());
    }

    @Test
    void whileAStandbyReplaysBehindTheCopyWaitsAndGoesOnOnceItCaughtUp() throws Exception {
        startStandby();
        throttle = throttle(0, Map.of("greenlight.backfill.throttle.max-replica-lag", "2S"));
        standbySql("SELECT pg_wal_replay_pause()");
        try {
            CompletableFuture<Void> writes = CompletableFuture.runAsync(this::writeForAWhile);
            CompletableFuture<Void> read = CompletableFuture.runAsync(() -> {
                while (!writes.isDone()) {
                    acquire(100);
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> throttle.view().waiting());
            assertTrue(throttle.view().reason().contains("a standby of the source replays"), throttle.view().reason());
            standbySql("SELECT pg_wal_replay_resume()");
            writes.get(60, TimeUnit.SECONDS);
            read.get(60, TimeUnit.SECONDS);
        } finally {
            standbySql("SELECT pg_wal_replay_resume()");
        }
    }

    @Test
    void aRoleThatMayNotReadTheStandbysLagIsToldWhichGrantLetsTheCopyBackOff() throws Exception {
        startStandby();
        sql("DROP ROLE IF EXISTS unmonitored", "CREATE ROLE unmonitored LOGIN");
        throttle = new CopyThrottle(0, config(Map.of()), new SourceLoad(source.jdbcUrl("postgres"), "unmonitored",
                Optional.empty(), Duration.ofMillis(200)), meters);
        throttle.acquire(10);
        await().atMost(Duration.ofSeconds(30)).until(() -> throttle.view().warning() != null);
        assertTrue(throttle.view().warning().contains("GRANT pg_monitor"), throttle.view().warning());

        sql("GRANT pg_monitor TO unmonitored");
        await().atMost(Duration.ofSeconds(30)).until(() -> throttle.view().warning() == null);
    }

    private CopyThrottle throttle(long maxRowsPerSecond, Map<String, String> keys) {
        return new CopyThrottle(maxRowsPerSecond, config(keys), new SourceLoad(source.jdbcUrl("postgres"), "postgres",
                Optional.empty(), Duration.ofMillis(200)), meters);
    }

    private static GreenlightConfig.Backfill.Throttle config(Map<String, String> keys) {
        Map<String, String> values = new HashMap<>(Map.of("greenlight.backfill.throttle.check-interval", "200MS"));
        values.putAll(keys);
        return TestConfig.minimal(values).backfill().throttle();
    }

    /** A synchronous standby that does not exist: every commit waits for it, as on a source whose standby is gone. */
    private static void hangCommits() throws Exception {
        sql("ALTER SYSTEM SET synchronous_standby_names = 'absent_standby'", "SELECT pg_reload_conf()");
    }

    private void acquire(long rows) {
        try {
            throttle.acquire(rows);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void writeForAWhile() {
        try (Connection c = source.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS written (id serial PRIMARY KEY, at timestamptz DEFAULT now())");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < until) {
                st.execute("INSERT INTO written DEFAULT VALUES");
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized void startStandby() throws Exception {
        if (standby == null) {
            standby = PostgresServer.startStandbyOf(source);
        }
    }

    private static void standbySql(String statement) throws Exception {
        try (Connection c = standby.connect("postgres"); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static void sql(String... statements) throws Exception {
        try (Connection c = source.connect("postgres"); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }
}
