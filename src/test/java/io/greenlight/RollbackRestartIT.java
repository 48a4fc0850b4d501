package io.greenlight;

import com.sun.net.httpserver.HttpServer;
import io.greenlight.testing.PostgresServer;
import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rollback's crash test (the reverse of {@link CutoverRestartIT}): the packaged service is
 * killed (SIGKILL) while ROLLING_BACK, held by a lock at each of the
 * rollback's steps in turn — fencing the new primary, draining reverse replication to its marker,
 * syncing sequences back, reverting the switch action, lifting the source's fence — and started
 * again. Under a continuous application load that writes wherever the switch action points it, and
 * a monitor that samples both fences the whole time: the restart resumes the same rollback to
 * ROLLED_BACK, at no sample are both databases writable, afterwards exactly the source is, and
 * every acknowledged write is on both sides, once. Between steps a new cutover switches forward
 * again on the running service: one start per kill. Run against each new primary's engine by
 * {@link RollbackRestartMariaDbIT} and {@link RollbackRestartPostgresIT}.
 */
abstract class RollbackRestartIT {

    private static final TestServers SERVERS = TestServers.get();
    private static final String TOKEN = "rollback-restart-token-3e8a1c6f9b2d4e7a0c5f";
    private static final String APP = "rb_app";

    /** Where the rollback is held when the service is killed, and how the test holds it there. */
    enum Step {
        FENCING_THE_NEW_PRIMARY, DRAINING, SYNCING_SEQUENCES, REVERTING_THE_SWITCH, LIFTING_THE_SOURCE_FENCE
    }

    /** The application's idea of its database, set by the switch action (the webhook) as a real one would be. */
    private final AtomicReference<String> primary = new AtomicReference<>("source");
    private final Queue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    private final Queue<String> splitBrain = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile boolean monitoring;
    private volatile CountDownLatch revertArrived = new CountDownLatch(1);
    private volatile CountDownLatch revertReleased = new CountDownLatch(0);

    /** The new primary's engine. */
    protected abstract TargetEngine engine();

    /** The steps at which this engine's run kills the service (the -D property below overrides them). */
    protected List<Step> steps() {
        return List.of(Step.values());
    }

    /** The database on both sides (the source cluster is shared by both engines' runs). */
    private String db() {
        return engine() == TargetEngine.POSTGRES ? "rollback_restart_pg" : "rollback_restart";
    }

    @Test
    void aCrashAtEachStepOfTheRollbackResumesItWithoutSplitBrainOrALostWrite() throws Exception {
        createApplication();
        HttpServer webhook = webhook();
        Map<String, String> env = SERVERS.serviceEnv(db());
        env.put("GREENLIGHT_TARGET_URL", engine().jdbcUrl(db()));
        env.put("GREENLIGHT_TARGET_USERNAME", engine().username());
        env.remove("GREENLIGHT_TARGET_PASSWORD");
        env.put("GREENLIGHT_API_TOKEN", TOKEN);
        Path log = Files.createTempFile("greenlight-" + db(), ".log");
        Thread app = new Thread(this::writeLedger, "ledger-app");
        Thread monitor = new Thread(this::watchFences, "fence-monitor");
        ServiceProcess service = ServiceProcess.start(env, log);
        app.start();
        monitor.start();
        try {
            awaitStreaming(service);
            for (Step step : stepsToRun()) {
                String id = cutOver(service, webhook);
                monitoring = true;
                awaitMore(20, "on the new primary before the rollback held in " + step);
                long started = System.nanoTime();
                try (Hold hold = hold(step, service)) {
                    HttpResponse<String> rollback = service.send("POST", "/rollback", TOKEN, null);
                    assertEquals(202, rollback.statusCode(), rollback.body());
                    ServiceProcess held = service;
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                            .failFast("the rollback ended before the kill", () -> !held.get("/cutover").contains("\"state\":\"ROLLING_BACK\""))
                            .until(() -> hold.reached(held));
                    service.kill();
                }
                service = ServiceProcess.start(env, log);
                ServiceProcess restarted = service;
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                        .failFast("Greenlight exited", () -> !restarted.isAlive())
                        .until(() -> restarted.get("/cutover").contains("\"state\":\"ROLLED_BACK\""));
                System.out.printf("%s new primary killed while ROLLING_BACK in %s: ROLLED_BACK %.1f s after the rollback began%n", engine(), step,
                        (System.nanoTime() - started) / 1e9);
                String record = service.get("/cutover");
                assertTrue(record.contains("\"id\":\"" + id + "\""), "the same cutover rolled back: " + record);
                assertEquals(1, record.split("\"state\":\"ROLLING_BACK\"", -1).length - 1,
                        "the rollback was entered once and resumed, not begun again: " + record);
                assertEquals("source", primary.get(), "the switch action was reverted: the application uses the source");
                assertEquals(List.of(), List.copyOf(splitBrain), "both databases took application writes at once");
                assertTrue(sourceWritable(), "after the rollback the source takes the application's writes");
                assertTrue(!targetWritable(), "after the rollback the target is the read-only standby");
                awaitMore(20, "on the source after the rollback killed in " + step);
                assertLedgerExact("after the rollback killed in " + step);
                monitoring = false; // the next cutover lifts the standby's fence before the switch
            }
        } finally {
            running = false;
            app.join();
            monitor.join();
            revertReleased.countDown();
            service.close();
            webhook.stop(0);
        }
    }

    /** The engine's steps, or those named in -Dgreenlight.rollback-restart.steps (comma-separated) when working on one. */
    private List<Step> stepsToRun() {
        String only = System.getProperty("greenlight.rollback-restart.steps", "");
        return only.isBlank() ? steps() : java.util.Arrays.stream(only.split(",")).map(String::trim).map(Step::valueOf).toList();
    }

    /** Switches forward (again) and waits until reverse replication keeps the source in sync; returns the cutover's id. */
    private String cutOver(ServiceProcess service, HttpServer webhook) throws Exception {
        awaitStreaming(service);
        HttpResponse<String> armed = service.send("POST", "/cutover", TOKEN, """
                {"maxLagSeconds": 3600, "stableSeconds": 1, "timeoutSeconds": 600, "maxWriteBlockedSeconds": 600,
                 "fence": {"mode": "READ_ONLY", "roles": ["%s"]},
                 "actions": {"webhook": {"url": "http://127.0.0.1:%d/switched"}}}""".formatted(APP, webhook.getAddress().getPort()));
        assertEquals(202, armed.statusCode(), armed.body());
        String id = armed.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                .failFast("cutover FAILED", () -> service.get("/cutover").contains("\"state\":\"FAILED\""))
                .until(() -> service.get("/cutover").contains("\"state\":\"COMPLETED\""));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> service.get("/status").contains("\"direction\":\"REVERSE\""));
        assertEquals("target", primary.get(), "the switch action pointed the application at the target");
        return id;
    }

    // ---- the holds ----

    /** A lock (or a slow webhook) that stops the rollback at {@code step}; closing it lets go. */
    private interface Hold extends AutoCloseable {
        boolean reached(ServiceProcess service) throws Exception;

        @Override
        void close() throws Exception;
    }

    private Hold hold(Step step, ServiceProcess service) throws Exception {
        return switch (step) {
            case FENCING_THE_NEW_PRIMARY -> engine() == TargetEngine.POSTGRES
                    // ALTER DATABASE ... SET default_transaction_read_only waits for this session's setting row of the database.
                    ? lockInTransaction(SERVERS.targetPostgres(), "ALTER DATABASE " + db() + " SET work_mem = '8MB'",
                    "query ILIKE 'ALTER DATABASE%SET default_transaction_read_only%'", () -> true)
                    // SET GLOBAL read_only = ON waits for explicit table locks; a session of Greenlight's own user is not ended by the fence.
                    : tableLock(SERVERS.mariadb.connect(db()), "LOCK TABLES items WRITE",
                    "SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SET GLOBAL read_only%'", "UNLOCK TABLES");
            // Reverse apply advances its offset on the source in the batch's transaction: the marker is never applied.
            case DRAINING -> lockInTransaction(SERVERS.postgres, "LOCK TABLE greenlight.greenlight_reverse IN EXCLUSIVE MODE",
                    "query LIKE '%greenlight_reverse%'", fenced(service));
            // Nobody writes items after the switch, so the drain passes; the sequence sync reads max(id) from it.
            case SYNCING_SEQUENCES -> lockInTransaction(SERVERS.postgres, "LOCK TABLE items IN ACCESS EXCLUSIVE MODE", "query ILIKE '%max(%items%'", () -> true);
            case REVERTING_THE_SWITCH -> slowRevert();
            // The undo of the READ_ONLY fence updates the database's settings row, which this session holds.
            case LIFTING_THE_SOURCE_FENCE -> lockInTransaction(SERVERS.postgres, "ALTER DATABASE " + db() + " SET work_mem = '8MB'",
                    "query ILIKE 'ALTER DATABASE%RESET default_transaction_read_only%'", () -> true);
        };
    }

    private Hold tableLock(Connection c, String lock, String waiting, String unlock) throws SQLException {
        Sql.exec(c, lock);
        return new Hold() {
            @Override
            public boolean reached(ServiceProcess service) throws Exception {
                try (Connection probe = SERVERS.mariadb.connect(db())) {
                    return Long.parseLong(Sql.rows(probe, waiting).get(0).get(0)) > 0;
                }
            }

            @Override
            public void close() throws Exception {
                try (c) {
                    Sql.exec(c, unlock);
                }
            }
        };
    }

    /** Once the log says this rollback fenced the new primary (what follows is the marker and the drain). */
    private static java.util.concurrent.Callable<Boolean> fenced(ServiceProcess service) throws Exception {
        String line = "rollback: the new primary is fenced";
        int before = service.log().split(line, -1).length;
        return () -> service.log().split(line, -1).length > before;
    }

    /**
     * A lock in an open transaction of {@code c} (a session on the source, or on a PostgreSQL new
     * primary); reached once a Greenlight session of that cluster waits for it and {@code also} holds
     * (for the drain: the new primary is fenced, so the wait is the drain's, not streaming's).
     */
    private Hold lockInTransaction(PostgresServer cluster, String lock, String waitingQuery, java.util.concurrent.Callable<Boolean> also)
            throws SQLException {
        Connection c = cluster.connect(db());
        c.setAutoCommit(false);
        Sql.exec(c, "SET TRANSACTION READ WRITE", lock); // the fenced database's default is read-only
        return new Hold() {
            @Override
            public boolean reached(ServiceProcess service) throws Exception {
                if (!also.call()) {
                    return false;
                }
                try (Connection probe = cluster.connect(db())) {
                    return Long.parseLong(Sql.rows(probe, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
                            + waitingQuery).get(0).get(0)) > 0;
                }
            }

            @Override
            public void close() throws Exception {
                try (c) {
                    c.rollback();
                }
            }
        };
    }

    private Hold slowRevert() {
        revertArrived = new CountDownLatch(1);
        revertReleased = new CountDownLatch(1);
        return new Hold() {
            @Override
            public boolean reached(ServiceProcess service) {
                return revertArrived.getCount() == 0;
            }

            @Override
            public void close() {
                revertReleased.countDown();
            }
        };
    }

    /** The switch action: the application follows it as soon as it arrives (the worst case for a revert that never answered). */
    private HttpServer webhook() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/switched", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("POST")) {
                boolean revert = "revert".equals(exchange.getRequestHeaders().getFirst("Greenlight-Event"));
                primary.set(revert ? "source" : "target");
                if (revert) {
                    revertArrived.countDown();
                    try {
                        revertReleased.await(5, TimeUnit.MINUTES); // the first revert of the held step never answers
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    // ---- the application and the monitor ----

    /** Inserts a transfer as the application on whichever database the switch action points at; keeps every acknowledged id. */
    private void writeLedger() {
        while (running) {
            try {
                acknowledged.add("target".equals(primary.get()) ? insertOnTarget() : insertOnSource());
                Thread.sleep(10);
            } catch (SQLException refused) {
                pause(); // fenced, or ended by a fence: not acknowledged
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long insertOnSource() throws SQLException {
        try (Connection c = appOnSource()) {
            return Long.parseLong(Sql.rows(c, "INSERT INTO transfers (account, amount) VALUES (1, 1) RETURNING id").get(0).get(0));
        }
    }

    private long insertOnTarget() throws SQLException {
        if (engine() == TargetEngine.POSTGRES) {
            try (Connection c = appOnTarget()) {
                return Long.parseLong(Sql.rows(c, "INSERT INTO transfers (account, amount) VALUES (1, 1) RETURNING id").get(0).get(0));
            }
        }
        try (Connection c = appOnTarget(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO transfers (account, amount) VALUES (1, 1)", Statement.RETURN_GENERATED_KEYS)) {
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /**
     * Samples target, source, target: both databases took writes at once if the source was writable
     * between two samples that found the target writable (a switch either way moves one fence
     * before the other, so a correct one never shows that).
     */
    private void watchFences() {
        while (running) {
            if (monitoring) {
                try {
                    if (targetWritable() && sourceWritable() && targetWritable() && monitoring) {
                        splitBrain.add("both writable at " + java.time.Instant.now() + " (application on the " + primary.get() + ")");
                    }
                } catch (SQLException unreachable) {
                    // a database restarting is not writable
                }
            }
            pause();
        }
    }

    private boolean sourceWritable() throws SQLException {
        try (Connection c = appOnSource()) {
            return "off".equals(Sql.rows(c, "SHOW transaction_read_only").get(0).get(0));
        }
    }

    /** Whether the application could write the target: MariaDB's read_only, or a PostgreSQL session's default as the application. */
    private boolean targetWritable() throws SQLException {
        if (engine() == TargetEngine.POSTGRES) {
            try (Connection c = appOnTarget()) {
                return "off".equals(Sql.rows(c, "SHOW transaction_read_only").get(0).get(0));
            }
        }
        try (Connection c = SERVERS.mariadb.connect(db())) {
            return "0".equals(Sql.rows(c, "SELECT @@GLOBAL.read_only").get(0).get(0));
        }
    }

    private void awaitMore(int writes, String where) {
        int from = acknowledged.size();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .alias("20 more acknowledged writes " + where).until(() -> acknowledged.size() >= from + writes);
    }

    /** Every acknowledged write on both sides, the sides equal, and the source's sequence past every key. */
    private void assertLedgerExact(String when) {
        List<Long> acked = List.copyOf(acknowledged);
        long upTo = acked.stream().mapToLong(Long::longValue).max().orElse(0);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = SERVERS.postgres.connect(db()); Connection t = engine().connect(db())) {
                List<List<String>> source = Sql.rows(s, "SELECT id, account, amount FROM transfers WHERE id <= ? ORDER BY id", upTo);
                List<List<String>> target = Sql.rows(t, "SELECT id, account, amount FROM transfers WHERE id <= ? ORDER BY id", upTo);
                Set<String> ids = new HashSet<>();
                source.forEach(r -> ids.add(r.get(0)));
                for (long id : acked) {
                    assertTrue(ids.contains(Long.toString(id)), when + ": acknowledged transfer " + id + " is on the source");
                }
                Sql.assertSameRows(source, target);
            }
        });
        try (Connection s = SERVERS.postgres.connect(db())) {
            long max = Long.parseLong(Sql.rows(s, "SELECT coalesce(max(id), 0) FROM transfers").get(0).get(0));
            long next = Long.parseLong(Sql.rows(s, "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END "
                    + "FROM transfers_id_seq").get(0).get(0));
            assertTrue(next > max, when + ": the source's sequence continues at " + next + " past key " + max);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- set-up ----

    private void createApplication() throws Exception {
        SERVERS.postgres.createDatabase(db());
        engine().createDatabase(db());
        try (Connection c = SERVERS.postgres.connect(db())) {
            Sql.exec(c, "DO $$ BEGIN CREATE ROLE " + APP + " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "CREATE TABLE transfers (id bigint GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME transfers_id_seq) PRIMARY KEY, "
                            + "account int NOT NULL, amount numeric(14,2) NOT NULL)",
                    "CREATE TABLE items (id serial PRIMARY KEY, name text)",
                    "INSERT INTO items (name) VALUES ('a'), ('b')",
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON transfers, items TO " + APP,
                    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + APP);
        }
        try (Connection t = engine().connect(db())) {
            if (engine() == TargetEngine.POSTGRES) {
                // Greenlight (the target's postgres user) creates the tables at its start: they come with these grants.
                Sql.exec(t, "DO $$ BEGIN CREATE ROLE " + APP + " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + APP,
                        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO " + APP);
            } else {
                Sql.exec(t, "CREATE USER IF NOT EXISTS '" + APP + "'@'%'",
                        "GRANT SELECT, INSERT, UPDATE, DELETE ON " + db() + ".* TO '" + APP + "'@'%'");
            }
        }
    }

    private Connection appOnSource() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", APP);
        props.setProperty("connectTimeout", "5");
        return new org.postgresql.Driver().connect(SERVERS.postgres.jdbcUrl(db()), props);
    }

    private Connection appOnTarget() throws SQLException {
        Properties props = new Properties();
        if (engine() == TargetEngine.POSTGRES) {
            props.setProperty("user", APP);
            props.setProperty("connectTimeout", "5");
            return new org.postgresql.Driver().connect(engine().jdbcUrl(db()), props);
        }
        props.put("user", APP);
        props.put("password", "");
        props.put("connectTimeout", "5000");
        return new com.mysql.cj.jdbc.Driver().connect(SERVERS.mariadb.jdbcUrl(db()), props);
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitStreaming(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }
}
