package io.greenlight;

import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service's initial load (snapshot-mode backfill) over a keyed, a composite-keyed
 * and a keyless table of many chunks, with the source written to all the while: the target
 * equals the source exactly, after an undisturbed backfill and after one killed with SIGKILL
 * half way and started again. Run against each target engine by {@link BackfillMariaDbIT} and
 * {@link BackfillPostgresIT}.
 */
abstract class BackfillIT {

    /** The engine of the target database. */
    protected abstract io.greenlight.testing.TargetDatabase engine();

    private static final TestServers SERVERS = TestServers.get();
    private static final int ITEMS = 40_000;
    /** Rows the copy of the run that is not killed may read per second (above what it reaches here). */
    private static final int COPY_CAP = 100_000;
    private static final Pattern CHUNKS_DONE = Pattern.compile("\"chunksDone\":(\\d+)");

    @BeforeAll
    static void javaDriversForPlainJUnit() throws Exception {
        Class.forName("org.postgresql.Driver");
    }

    /** With a cap on the copy's rate (high enough not to slow this run): /status shows it. */
    @Test
    void backfillWithConcurrentWritesEqualsTheSourceAndAppliesEachChangeOnce() throws Exception {
        run("backfill_plain" + suffix(), false);
    }

    @Test
    void killedMidBackfillThenRestartedConvergesWithoutGapsOrDuplicates() throws Exception {
        run("backfill_killed" + suffix(), true);
    }

    private String suffix() {
        return engine() == io.greenlight.testing.TargetEngine.POSTGRES ? "_pg"
                : engine() == io.greenlight.testing.MySql8Target.INSTANCE ? "_my8" : "";
    }

    /**
     * A value the target cannot hold (numeric NaN on MariaDB) pauses only its table, at that row, as
     * a streamed change would; the other tables are copied and stream. Resume without a cure
     * copies it again and pauses it again; the advised remedies, accepting the loss and restarting,
     * or widening the column, copy the table again and apply what changed on it meanwhile.
     */
    @Test
    void aValueTheTargetCannotHoldPausesOnlyItsTableAndAcceptingItThenRestartingCopiesIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(engine() == TargetEngine.MARIADB, "its MariaDB case; the PostgreSQL one follows");
        String db = "backfill_poison";
        SERVERS.postgres.createDatabase(db);
        SERVERS.mariadb.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE measures (id int PRIMARY KEY, v numeric)",
                    "INSERT INTO measures VALUES (1, 1.5), (2, 'NaN'), (3, 2.5)",
                    "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                    "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 3) g",
                    "CREATE TABLE labels (id int PRIMARY KEY, name varchar(10))",
                    "INSERT INTO labels VALUES (1, 'ok'), (2, 'too long'), (3, 'ok')");
        }
        try (Connection target = SERVERS.mariadb.connect(db)) {
            // made by hand before the start, narrower than the source: the target refuses a row
            Sql.exec(target, "CREATE TABLE labels (id INT NOT NULL PRIMARY KEY, name VARCHAR(3))"
                    + " DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin");
        }
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_API_TOKEN", PoisonTestResource.API_TOKEN);
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            awaitStreaming(first);
            String status = first.get("/status");
            assertTrue(status.contains("Column public.measures.v (numeric), key {id=2}, in the backfill at snapshot LSN "), status);
            assertTrue(status.contains("Table public.measures paused (the other tables go on)"), status);
            assertTrue(status.contains("greenlight.types.lossy-accept=public.measures.v"), status);
            assertTrue(status.contains("\"state\":\"PAUSED\""), status);
            assertTrue(status.contains("Table public.labels, key {id=2}, in the backfill at snapshot LSN "), status);
            assertTrue(status.contains("the target refused the row"), status);
            assertTrue(status.contains("Table public.labels paused (the other tables go on)"), status);
            try (Connection source = SERVERS.postgres.connect(db)) {
                Sql.exec(source, "INSERT INTO notes VALUES (4, 'while measures is paused')",
                        "UPDATE measures SET v = 1.75 WHERE id = 1", "INSERT INTO measures VALUES (4, 4.5)");
            }
            awaitSame(db, "SELECT id, body FROM notes ORDER BY id");
            // Resuming without curing the cause copies the table again and pauses it again at the same row.
            var resume = first.send("POST", "/tables/public.measures/resume", PoisonTestResource.API_TOKEN, null);
            assertEquals(202, resume.statusCode(), resume.body());
            assertTrue(resume.body().contains("COPYING"), resume.body());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    first.log().contains("Backfill of public.measures paused again"));
            assertTrue(first.get("/status").contains("Column public.measures.v (numeric), key {id=2}"), first.get("/status"));
            first.stop();
        }
        env.put("GREENLIGHT_TYPES_LOSSY_ACCEPT", "public.measures.v");
        try (Connection target = SERVERS.mariadb.connect(db)) {
            Sql.exec(target, "ALTER TABLE labels MODIFY name VARCHAR(10)"); // the other advised remedy
        }
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                try (Connection target = SERVERS.mariadb.connect(db)) {
                    assertEquals(List.of(List.of("1", "1.75"), List.of("2", "NULL"), List.of("3", "2.5"), List.of("4", "4.5")),
                            Sql.rows(target, "SELECT id, COALESCE(CAST(v AS DOUBLE), 'NULL') FROM measures ORDER BY id"));
                }
            });
            awaitSame(db, "SELECT id, name FROM labels ORDER BY id");
            assertTrue(!second.get("/status").contains("PAUSED"), second.get("/status"));
            awaitSame(db, "SELECT id, body FROM notes ORDER BY id");
        }
    }

    /** The same on a PostgreSQL target: a row the target refuses pauses its table; widening it, then restarting, copies it. */
    @Test
    void onAPostgresTargetARowItRefusesPausesOnlyItsTableAndWideningThenRestartingCopiesIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(engine() == TargetEngine.POSTGRES, "run by BackfillPostgresIT");
        String db = "backfill_poison_pg";
        SERVERS.postgres.createDatabase(db);
        TargetEngine.POSTGRES.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE labels (id int PRIMARY KEY, name varchar(10))",
                    "INSERT INTO labels VALUES (1, 'ok'), (2, 'too long'), (3, 'ok')",
                    "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                    "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 3) g");
        }
        try (Connection target = TargetEngine.POSTGRES.connect(db)) {
            Sql.exec(target, "CREATE TABLE labels (id int PRIMARY KEY, name varchar(3))"); // made by hand, narrower
        }
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_TARGET_URL", TargetEngine.POSTGRES.jdbcUrl(db));
        env.put("GREENLIGHT_TARGET_USERNAME", TargetEngine.POSTGRES.username());
        env.remove("GREENLIGHT_TARGET_PASSWORD");
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            awaitStreaming(first);
            String status = first.get("/status");
            assertTrue(status.contains("Table public.labels, key {id=2}, in the backfill at snapshot LSN "), status);
            assertTrue(status.contains("value too long"), status);
            assertTrue(status.contains("Table public.labels paused (the other tables go on)"), status);
            try (Connection source = SERVERS.postgres.connect(db)) {
                Sql.exec(source, "INSERT INTO notes VALUES (4, 'while labels is paused')",
                        "INSERT INTO labels VALUES (4, 'ok')", "UPDATE labels SET name = 'fine' WHERE id = 1");
            }
            awaitSame(db, TargetEngine.POSTGRES, "SELECT id, body FROM notes ORDER BY id");
            first.stop();
        }
        try (Connection target = TargetEngine.POSTGRES.connect(db)) {
            Sql.exec(target, "ALTER TABLE labels ALTER name TYPE varchar(10)");
        }
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            awaitSame(db, TargetEngine.POSTGRES, "SELECT id, name FROM labels ORDER BY id");
            assertTrue(!second.get("/status").contains("PAUSED"), second.get("/status"));
        }
    }

    /**
     * A lossy column not accepted holds its table alone (timetz: the connector converts it to UTC
     * before Greenlight sees it): the other tables migrate, the held one is neither copied nor
     * applied, a resume is refused naming the acceptance, and accepting it then restarting copies
     * the table and streams what changed on it meanwhile.
     */
    @Test
    void aTableWithALossNotAcceptedIsHeldAloneAndAcceptingItThenRestartingCopiesIt() throws Exception {
        String db = "lossy_held" + suffix();
        SERVERS.postgres.createDatabase(db);
        engine().createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE shifts (id int PRIMARY KEY, starts timetz)",
                    "INSERT INTO shifts VALUES (1, '10:15:30+05:30')",
                    "CREATE TABLE staff (id int PRIMARY KEY, name text)",
                    "INSERT INTO staff SELECT g, 'staff ' || g FROM generate_series(1, 3) g");
        }
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_TARGET_URL", engine().jdbcUrl(db));
        env.put("GREENLIGHT_TARGET_USERNAME", engine().username());
        engine().password().ifPresent(p -> env.put("GREENLIGHT_TARGET_PASSWORD", p));
        env.put("GREENLIGHT_API_TOKEN", PoisonTestResource.API_TOKEN);
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            awaitStreaming(first);
            String status = first.get("/status");
            assertTrue(status.contains("Table public.shifts is not copied or applied: Column public.shifts.starts (time with time zone)"), status);
            assertTrue(status.contains("greenlight.types.lossy-accept=public.shifts.starts"), status);
            assertTrue(status.contains("\"state\":\"PAUSED\""), status);
            try (Connection source = SERVERS.postgres.connect(db)) {
                Sql.exec(source, "INSERT INTO staff VALUES (4, 'while shifts is held')",
                        "INSERT INTO shifts VALUES (2, '23:59:59-02:00')");
            }
            awaitSame(db, engine(), "SELECT id, name FROM staff ORDER BY id");
            var resume = first.send("POST", "/tables/public.shifts/resume", PoisonTestResource.API_TOKEN, null);
            assertEquals(409, resume.statusCode(), resume.body());
            assertTrue(resume.body().contains("greenlight.types.lossy-accept=public.shifts.starts"), resume.body());
            try (Connection target = engine().connect(db)) {
                assertEquals(List.of(List.of("0")), Sql.rows(target, "SELECT COUNT(*) FROM shifts"), "nothing of it was written");
            }
            first.stop();
        }
        env.put("GREENLIGHT_TYPES_LOSSY_ACCEPT", "public.shifts.starts");
        String utc = engine() == TargetEngine.POSTGRES ? "SELECT id, (starts AT TIME ZONE 'UTC')::time::text FROM shifts ORDER BY id"
                : "SELECT id, TIME_FORMAT(starts, '%H:%i:%s') FROM shifts ORDER BY id";
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                try (Connection target = engine().connect(db)) {
                    assertEquals(List.of(List.of("1", "04:45:30"), List.of("2", "01:59:59")), Sql.rows(target, utc),
                            "stored in UTC, as accepted");
                }
            });
            assertTrue(!second.get("/status").contains("PAUSED"), second.get("/status"));
            try (Connection source = SERVERS.postgres.connect(db)) {
                Sql.exec(source, "UPDATE shifts SET starts = '08:00:00+00' WHERE id = 1");
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                try (Connection target = engine().connect(db)) {
                    assertEquals(List.of("1", "08:00:00"), Sql.rows(target, utc).get(0));
                }
            });
        }
    }

    private static void awaitSame(String db, String query) {
        awaitSame(db, TargetEngine.MARIADB, query);
    }

    private static void awaitSame(String db, io.greenlight.testing.TargetDatabase engine, String query) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (Connection source = SERVERS.postgres.connect(db); Connection target = engine.connect(db)) {
                Sql.assertSameRows(Sql.rows(source, query), Sql.rows(target, query));
            }
        });
    }

    private void run(String db, boolean kill) throws Exception {
        SERVERS.postgres.createDatabase(db);
        engine().createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE items (id int PRIMARY KEY, n bigint NOT NULL, note text, at timestamptz)",
                    "INSERT INTO items SELECT g, g, repeat(md5(g::text), 2), '2024-01-01'::timestamptz + g * interval '1 second'"
                            + " FROM generate_series(1, " + ITEMS + ") g",
                    "CREATE TABLE pairs (a int, b int, v numeric(12,2), PRIMARY KEY (a, b))",
                    "INSERT INTO pairs SELECT g % 100, g, g / 100.0 FROM generate_series(1, 20000) g",
                    "CREATE TABLE events (kind text, n int)", "ALTER TABLE events REPLICA IDENTITY FULL",
                    // Identical rows on purpose: a keyless table shows every duplicate.
                    "INSERT INTO events SELECT 'seed', g % 1000 FROM generate_series(1, 30000) g");
        }
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_TARGET_URL", engine().jdbcUrl(db));
        env.put("GREENLIGHT_TARGET_USERNAME", engine().username());
        engine().password().ifPresent(p -> env.put("GREENLIGHT_TARGET_PASSWORD", p));
        // Many small chunks, one at a time: a backfill long enough to write into and to kill half way.
        env.put("GREENLIGHT_BACKFILL_CHUNK_PAGES", "2");
        env.put("GREENLIGHT_BACKFILL_PARALLELISM", "1");
        env.put("GREENLIGHT_BACKFILL_BATCH_ROWS", "100");
        if (!kill) {
            env.put("GREENLIGHT_BACKFILL_MAX_ROWS_PER_SECOND", String.valueOf(COPY_CAP));
        }

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong transactions = new AtomicLong();
        AtomicLong duringSnapshot = new AtomicLong();
        Thread writer;
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .failFast("Greenlight exited", () -> !first.isAlive())
                    .until(() -> chunksDone(first) > 0);
            writer = startWriter(db, writing, transactions, duringSnapshot, first);
            if (!kill) {
                assertTrue(first.get("/status").contains("\"backfillThrottle\":{\"maxRowsPerSecond\":" + COPY_CAP),
                        "/status shows the cap");
                awaitStreaming(first);
                finish(db, writer, writing, transactions);
                assertTrue(duringSnapshot.get() > 0, "some source transactions ran while the backfill copied");
                return;
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> transactions.get() > 100);
            assertEquals("SNAPSHOT", first.phase(), "the backfill is still running when killed");
            first.kill();
        }
        long atKill = transactions.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> transactions.get() > atKill + 100);
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            assertTrue(second.log().contains("Backfill resumes"), "the second start resumed the backfill");
            finish(db, writer, writing, transactions);
        }
    }

    private void finish(String db, Thread writer, AtomicBoolean writing, AtomicLong transactions) throws Exception {
        String at = engine() == io.greenlight.testing.TargetEngine.POSTGRES
                ? "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')" : "CAST(at AS CHAR)";
        await().atMost(Duration.ofSeconds(30)).until(() -> transactions.get() > 50);
        writing.set(false);
        writer.join();
        await().atMost(Duration.ofSeconds(420)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            try (Connection source = SERVERS.postgres.connect(db); Connection target = engine().connect(db)) {
                assertEquals(Sql.rows(source, "SELECT count(*) FROM items"), Sql.rows(target, "SELECT count(*) FROM items"));
                Sql.assertSameRows(Sql.rows(source, "SELECT id, n, note, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
                                + " FROM items ORDER BY id"),
                        Sql.rows(target, "SELECT id, n, note, " + at + " FROM items ORDER BY id"));
                Sql.assertSameRows(Sql.rows(source, "SELECT a, b, v FROM pairs ORDER BY a, b"),
                        Sql.rows(target, "SELECT a, b, v FROM pairs ORDER BY a, b"));
                Sql.assertSameRows(Sql.rows(source, "SELECT kind, n, count(*) FROM events GROUP BY 1, 2 ORDER BY 1, 2"),
                        Sql.rows(target, "SELECT kind, n, count(*) FROM events GROUP BY 1, 2 ORDER BY 1, 2"));
            }
        });
    }

    /**
     * Updates spread over the keyed tables (moving rows between pages, so between chunks), new
     * and deleted rows, and keyless inserts and deletes of identical rows.
     */
    private static Thread startWriter(String db, AtomicBoolean writing, AtomicLong transactions, AtomicLong duringSnapshot,
                                      ServiceProcess service) {
        Thread writer = new Thread(() -> {
            try (Connection c = SERVERS.postgres.connect(db);
                 PreparedStatement update = c.prepareStatement("UPDATE items SET n = n + 1, note = ? WHERE id = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO items VALUES (?, 0, 'new', now())");
                 PreparedStatement delete = c.prepareStatement("DELETE FROM items WHERE id = ?");
                 PreparedStatement pair = c.prepareStatement("UPDATE pairs SET v = v + 1 WHERE a = ? AND b = ?");
                 PreparedStatement event = c.prepareStatement("INSERT INTO events VALUES ('live', ?)");
                 PreparedStatement forget = c.prepareStatement(
                         "DELETE FROM events WHERE ctid = (SELECT ctid FROM events WHERE n = ? LIMIT 1)")) {
                c.setAutoCommit(false);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (writing.get()) {
                    long tx = transactions.get();
                    update.setString(1, "tx " + tx);
                    update.setInt(2, random.nextInt(1, ITEMS + 1));
                    update.executeUpdate();
                    if (tx % 3 == 0) {
                        insert.setInt(1, ITEMS + 1 + (int) tx);
                        insert.executeUpdate();
                    }
                    if (tx % 5 == 0) {
                        delete.setInt(1, random.nextInt(1, ITEMS + 1));
                        delete.executeUpdate();
                    }
                    int b = random.nextInt(1, 20001);
                    pair.setInt(1, b % 100);
                    pair.setInt(2, b);
                    pair.executeUpdate();
                    event.setInt(1, (int) (tx % 7));
                    event.executeUpdate();
                    forget.setInt(1, random.nextInt(0, 1000));
                    forget.executeUpdate();
                    c.commit();
                    transactions.incrementAndGet();
                    if (tx % 20 == 0 && "SNAPSHOT".equals(service.phase())) {
                        duringSnapshot.incrementAndGet();
                    }
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "writer-" + db);
        writer.start();
        return writer;
    }

    /** Chunks copied so far, from GET /status; 0 while the HTTP server is not up yet. */
    private static long chunksDone(ServiceProcess service) throws Exception {
        String status;
        try {
            status = service.get("/status");
        } catch (java.io.IOException e) {
            return 0;
        }
        long done = 0;
        Matcher m = CHUNKS_DONE.matcher(status);
        while (m.find()) {
            done += Long.parseLong(m.group(1));
        }
        return done;
    }

    private static void awaitStreaming(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }
}
