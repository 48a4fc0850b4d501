package io.greenlight;

import com.sun.net.httpserver.HttpServer;
import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cutover waiting for lag survives a crash of the service: after the restart it waits again, same record. */
class CutoverRestartIT {

    private static final TestServers SERVERS = TestServers.get();
    private static final String TOKEN = "restart-token-5f1c0b9e2a7d4c8e9b3f6a1d";

    @Test
    void crashWhileWaitingForLagResumesTheSameCutoverAndNeverFiresTwice() throws Exception {
        String db = "cutover_restart";
        SERVERS.postgres.createDatabase(db);
        SERVERS.mariadb.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE items (id serial PRIMARY KEY, name text)", "INSERT INTO items (name) VALUES ('a'), ('b')");
        }
        Map<String, String> env = SERVERS.serviceEnv(db);
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        // Without a token POST /cutover is 403 naming the key: TypesPipelineMariaDbTest (no service start of its own).
        env.put("GREENLIGHT_API_TOKEN", TOKEN);
        String id;
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            awaitStreaming(first);
            HttpResponse<String> armed = first.send("POST", "/cutover", TOKEN,
                    "{\"maxLagSeconds\": 0.001, \"stableSeconds\": 60, \"timeoutSeconds\": 3600}");
            assertEquals(202, armed.statusCode(), armed.body());
            id = armed.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
            await().atMost(Duration.ofSeconds(10)).until(() -> first.get("/cutover").contains("\"state\":\"WAITING_FOR_LAG\""));
            first.kill();
        }
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            await().atMost(Duration.ofSeconds(30)).until(() -> second.get("/cutover").contains("\"state\":\"WAITING_FOR_LAG\""));
            assertTrue(second.get("/cutover").contains("\"id\":\"" + id + "\""), second.get("/cutover"));
            assertEquals(409, second.send("POST", "/cutover", TOKEN, "{}").statusCode());
            HttpResponse<String> aborted = second.send("DELETE", "/cutover", TOKEN, null);
            assertEquals(200, aborted.statusCode(), aborted.body());
            assertTrue(aborted.body().contains("\"state\":\"ABORTED\""), aborted.body());
        }
    }

    /**
     * SIGKILL in every state that holds the fence, each held there by a lock the test takes, then a
     * restart (with the target stopped for some): the application can write to the source again soon
     * after the start, and the record says what happened. Each cutover is a new one (the last FAILED).
     */
    @Test
    void crashInEveryFencedStateLeavesTheSourceWritableSoonAfterTheRestartEvenWithTheTargetDown() throws Exception {
        String db = "cutover_fenced";
        createApplication(db);
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_API_TOKEN", TOKEN);
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        String options = """
                {"maxLagSeconds": 3600, "stableSeconds": 1, "timeoutSeconds": 600, "maxWriteBlockedSeconds": 600, %s
                 "fence": {"mode": "READ_ONLY", "roles": ["restart_app"]}}""";
        List<Held> cases = List.of(
                new Held("FENCING", options.formatted(""), false, Held.Lock.SOURCE_HEARTBEAT),
                new Held("DRAINING", options.formatted(""), true, Held.Lock.TARGET_HEARTBEAT),
                new Held("SYNCING_SEQUENCES", options.formatted(""), false, Held.Lock.TARGET_ITEMS),
                new Held("VERIFYING", options.formatted("\"verify\": true,"), false, Held.Lock.TARGET_NOTES),
                new Held("POSTPONED", options.formatted("\"postpone\": true, \"postponeTimeoutSeconds\": 600,"), true, Held.Lock.NONE));
        ServiceProcess service = ServiceProcess.start(env, log);
        try {
            for (Held held : cases) {
                awaitStreaming(service);
                // Caught up first (the earlier iterations' writes are on the target): the lock must hold the cutover's own step.
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> itemsOn(SERVERS.postgres.connect(db))
                        == itemsOn(SERVERS.mariadb.connect(db)));
                String id;
                try (Connection lock = held.lock(db)) {
                    HttpResponse<String> armed = service.send("POST", "/cutover", TOKEN, held.options());
                    assertEquals(202, armed.statusCode(), armed.body());
                    id = armed.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
                    ServiceProcess running = service;
                    await().atMost(Duration.ofSeconds(60)).failFast("cutover FAILED", () -> running.get("/cutover").contains("\"state\":\"FAILED\""))
                            .until(() -> running.get("/cutover").contains("\"state\":\"" + held.state() + "\""));
                    await().atMost(Duration.ofSeconds(10)).until(() -> !writes(db)); // the fence goes up just after FENCING
                    service.kill();
                }
                if (held.targetDown()) {
                    SERVERS.mariadb.stopProcess();
                }
                try {
                    service = ServiceProcess.start(env, log);
                    long started = System.nanoTime();
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                            .until(() -> appWrite(db));
                    System.out.printf("killed in %s%s: source writable %.1f s after the start%n", held.state(),
                            held.targetDown() ? " (target down)" : "", (System.nanoTime() - started) / 1e9);
                } finally {
                    SERVERS.mariadb.startProcessIfStopped();
                }
                ServiceProcess restarted = service;
                await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                        .until(() -> restarted.get("/cutover").contains("\"id\":\"" + id + "\"")
                                && restarted.get("/cutover").contains("\"state\":\"FAILED\""));
                String record = service.get("/cutover");
                assertTrue(record.contains("restarted during " + held.state()), record);
                assertTrue(record.contains("the fence was lifted"), record);
                if (held.targetDown()) { // the bring-up failed on the stopped target: start again with it up
                    service.stop();
                    service = ServiceProcess.start(env, log);
                }
            }
        } finally {
            service.close();
        }
    }

    /**
     * SIGTERM while the switch is running lets it finish (the source stays fenced, the record says
     * COMPLETED); SIGKILL there leaves SWITCHING, and the restart runs the switch again instead of
     * lifting the fence: at no point can the application write to the source while the switch may
     * point it at the target.
     */
    @Test
    void aStopDuringTheSwitchNeverLiftsTheFence() throws Exception {
        for (boolean kill : new boolean[] {false, true}) {
            String db = kill ? "cutover_switch_kill" : "cutover_switch_term";
            createApplication(db);
            Map<String, String> env = SERVERS.serviceEnv(db);
            env.put("GREENLIGHT_API_TOKEN", TOKEN);
            Path log = Files.createTempFile("greenlight-" + db, ".log");
            AtomicInteger posts = new AtomicInteger();
            HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            webhook.setExecutor(Executors.newCachedThreadPool());
            webhook.createContext("/switched", exchange -> {
                if (exchange.getRequestMethod().equals("POST") && posts.incrementAndGet() == 1) {
                    sleep(kill ? 60_000 : 5_000); // the first switch is slow: the stop arrives while it runs
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            webhook.start();
            try (ServiceProcess first = ServiceProcess.start(env, log)) {
                awaitStreaming(first);
                HttpResponse<String> armed = first.send("POST", "/cutover", TOKEN, """
                        {"maxLagSeconds": 3600, "stableSeconds": 1, "fence": {"mode": "READ_ONLY", "roles": ["restart_app"]},
                         "actions": {"webhook": {"url": "http://127.0.0.1:%d/switched"}}}""".formatted(webhook.getAddress().getPort()));
                assertEquals(202, armed.statusCode(), armed.body());
                await().atMost(Duration.ofSeconds(60)).until(() -> first.get("/cutover").contains("\"state\":\"SWITCHING\""));
                if (kill) {
                    first.kill();
                } else {
                    first.stop();
                }
                assertFalse(writes(db), "fenced after the stop");
                try (ServiceProcess second = ServiceProcess.start(env, log)) {
                    await().atMost(Duration.ofSeconds(120)).ignoreExceptions().pollInterval(Duration.ofMillis(200))
                            .failFast("the fence was lifted during the switch", () -> writes(db))
                            .until(() -> second.get("/cutover").contains("\"state\":\"COMPLETED\""));
                    assertFalse(writes(db), "the source stays fenced after the switch");
                    assertEquals(kill ? 2 : 1, posts.get(), "a killed switch runs again at the restart; a stopped one finished");
                    awaitStreaming(second); // the bring-up's own writes (CREATE SCHEMA …) pass the fence that stays up
                    assertTrue(second.get("/status").contains("\"applyGate\":\"cutover "), second.get("/status"));
                }
            } finally {
                webhook.stop(0);
            }
        }
    }

    private static void createApplication(String db) throws SQLException {
        SERVERS.postgres.createDatabase(db);
        SERVERS.mariadb.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "DO $$ BEGIN CREATE ROLE restart_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "CREATE TABLE items (id serial PRIMARY KEY, name text)", "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                    "INSERT INTO items (name) VALUES ('a'), ('b')", "INSERT INTO notes VALUES (1, 'n')",
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON items, notes TO restart_app",
                    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO restart_app");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A cutover held in {@code state} by a lock on the source or target that blocks its next step. */
    private record Held(String state, String options, boolean targetDown, Lock lock) {

        enum Lock { NONE, SOURCE_HEARTBEAT, TARGET_HEARTBEAT, TARGET_ITEMS, TARGET_NOTES }

        /** Takes the lock in a session of its own; closing it releases the lock. */
        Connection lock(String db) throws Exception {
            if (lock == Lock.NONE) {
                return SERVERS.postgres.connect(db);
            }
            if (lock == Lock.SOURCE_HEARTBEAT) { // the drain marker is an update of the heartbeat row: it waits
                Connection c = SERVERS.postgres.connect(db);
                c.setAutoCommit(false);
                Sql.exec(c, "LOCK TABLE greenlight.greenlight_heartbeat IN EXCLUSIVE MODE");
                return c;
            }
            Connection c = SERVERS.mariadb.connect(db);
            String table = switch (lock) {
                case TARGET_HEARTBEAT -> Sql.rows(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                        + "AND table_name LIKE '%heartbeat%'", db).get(0).get(0); // apply cannot pass the marker
                case TARGET_ITEMS -> "items"; // the sequence sync's ALTER TABLE waits
                default -> "notes"; // the verification's read waits
            };
            Sql.exec(c, "LOCK TABLES `" + table + "` WRITE");
            return c;
        }
    }

    private static long itemsOn(Connection c) throws SQLException {
        try (c) {
            return Sql.count(c, "items");
        }
    }

    private static boolean writes(String db) {
        try {
            return appWrite(db);
        } catch (SQLException e) {
            return false;
        }
    }

    /** An application write as the fenced role; true once it committed. */
    private static boolean appWrite(String db) throws SQLException {
        try (Connection c = new org.postgresql.Driver().connect(SERVERS.postgres.jdbcUrl(db) + "?user=restart_app",
                new java.util.Properties())) {
            Sql.exec(c, "INSERT INTO items (name) VALUES ('written')");
            return true;
        }
    }

    private static void awaitStreaming(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }
}
