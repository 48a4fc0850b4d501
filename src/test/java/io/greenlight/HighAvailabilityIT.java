package io.greenlight;

import io.greenlight.leader.LeaderElection;
import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.greenlight.testing.WriteLoad;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged instances against the same source, Kafka (the test JVM's broker, external to both)
 * and target: one leads, the other waits as a hot standby and takes over when the leader dies
 * or freezes past its lease. Under a steady write load the target ends exactly equal to the
 * source: a keyless ledger shows any change lost or applied twice.
 */
class HighAvailabilityIT {

    private static final TestServers SERVERS = TestServers.get();
    private static final Duration LEASE = Duration.ofSeconds(4);

    @BeforeAll
    static void javaDriversForPlainJUnit() throws Exception {
        Class.forName("org.postgresql.Driver");
    }

    @Test
    void theStandbyTakesOverFromAKilledLeaderWithNothingLostOrDoubled() throws Exception {
        String db = "ha_kill";
        prepare(db);
        Map<String, String> env = env(db);
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        try (ServiceProcess leader = start(env, "a", log); WriteLoad load = WriteLoad.start(SERVERS.postgres, db)) {
            awaitLeading(leader);
            try (ServiceProcess standby = start(env, "b", log)) {
                awaitRole(standby, "STANDBY");
                assertEquals(503, standby.send("POST", "/tables/public.ledger/resume", TOKEN, null).statusCode(),
                        "a standby refuses mutating calls");
                assertTrue(standby.send("POST", "/tables/public.ledger/resume", TOKEN, null).body().contains("the leader is a"));
                String standbyStatus = standby.get("/status");
                assertTrue(standbyStatus.contains("\"standby\":\"This instance (b) is a standby; the leader is a. "), standbyStatus);
                await().atMost(Duration.ofSeconds(60)).until(() -> load.committed() > 1000); // ~200 tx/s
                awaitCaughtUp(leader);

                long killedAt = System.nanoTime();
                leader.kill();
                long committedAtKill = load.committed();
                awaitLeading(standby);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> standby.statusNumber("endToEndSeconds") < 2.0 && appliedLedgerRows(db) >= committedAtKill);
                double takeover = (System.nanoTime() - killedAt) / 1e9;
                System.out.printf("HA takeover: leader SIGKILL -> standby leads with lag under 2 s in %.1f s (lease %s)%n",
                        takeover, LEASE);

                load.close();
                awaitExact(db, load);
                assertTrue(standby.get("/q/metrics").contains("greenlight_leader{instance=\"b\"} 1.0"), "the metric names the leader");
            }
        }
    }

    @Test
    void aLeaderFrozenPastItsLeaseCommitsNothingWhenItWakesUp() throws Exception {
        String db = "ha_freeze";
        prepare(db);
        Map<String, String> env = env(db);
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        try (ServiceProcess frozen = start(env, "a", Files.createTempFile("greenlight-" + db + "-a", ".log"));
             WriteLoad load = WriteLoad.start(SERVERS.postgres, db)) {
            awaitLeading(frozen);
            try (ServiceProcess standby = start(env, "b", log)) {
                awaitRole(standby, "STANDBY");
                await().atMost(Duration.ofSeconds(60)).until(() -> load.committed() > 500);

                frozen.pause();
                awaitLeading(standby);
                long committed = load.committed();
                await().atMost(Duration.ofSeconds(120)).until(() -> appliedLedgerRows(db) >= committed); // the new leader applies

                frozen.resume(); // it finds its batch refused or its lease gone, and exits to come back as a standby
                assertEquals(LeaderElection.LOST_LEASE_EXIT, frozen.waitForExit(Duration.ofSeconds(60)), frozen.log());
                assertTrue(frozen.log().contains("no longer leads"), frozen.log());
                try (Connection target = SERVERS.mariadb.connect(db)) {
                    assertEquals(List.of(List.of("b", "2")), Sql.rows(target, "SELECT holder, epoch FROM greenlight_leader WHERE name = ?", db),
                            "the target's fencing token is the new leader's");
                }

                load.close();
                awaitExact(db, load);
                assertEquals("LEADER", standby.role());
            }
        }
    }

    /**
     * The leader killed while its cutover holds the source fenced and drains: the standby takes over
     * and, under the cutover's rules for a restart before the switch, lifts the fence and records the
     * cutover FAILED; the application writes again and the target catches up with them.
     */
    @Test
    void theStandbyLiftsTheFenceOfALeaderKilledWhileDraining() throws Exception {
        String db = "ha_drain";
        SERVERS.postgres.createDatabase(db);
        SERVERS.mariadb.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "DO $$ BEGIN CREATE ROLE ha_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "CREATE TABLE items (id serial PRIMARY KEY, name text)", "INSERT INTO items (name) VALUES ('a'), ('b')",
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON items TO ha_app", "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ha_app");
        }
        Map<String, String> env = env(db);
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        try (ServiceProcess leader = start(env, "a", log)) {
            awaitLeading(leader);
            try (ServiceProcess standby = start(env, "b", log)) {
                awaitRole(standby, "STANDBY");
                String id;
                try (Connection target = SERVERS.mariadb.connect(db)) {
                    String heartbeat = Sql.rows(target, "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                            + "AND table_name LIKE '%heartbeat%'", db).get(0).get(0);
                    Sql.exec(target, "LOCK TABLES `" + heartbeat + "` WRITE"); // apply cannot pass the drain marker
                    var armed = leader.send("POST", "/cutover", TOKEN, """
                            {"maxLagSeconds": 3600, "stableSeconds": 1, "timeoutSeconds": 600, "maxWriteBlockedSeconds": 600,
                             "fence": {"mode": "READ_ONLY", "roles": ["ha_app"]}}""");
                    assertEquals(202, armed.statusCode(), armed.body());
                    id = armed.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
                    await().atMost(Duration.ofSeconds(60)).until(() -> leader.get("/cutover").contains("\"state\":\"DRAINING\""));
                    assertFalse(appWrites(db), "the source is fenced while draining");
                    // A standby runs no cutover; it shows the one the leader persisted, not a view of its own.
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        String view = standby.get("/cutover");
                        assertTrue(view.contains("\"id\":\"" + id + "\"") && view.contains("\"state\":\"DRAINING\""), view);
                        String status = standby.get("/status");
                        assertTrue(status.contains("\"cutover\":{\"id\":\"" + id + "\",\"state\":\"DRAINING\",\"fenceUp\":true"), status);
                    });
                    leader.kill();
                }
                awaitLeading(standby);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> appWrites(db));
                String record = standby.get("/cutover");
                assertTrue(record.contains("\"id\":\"" + id + "\"") && record.contains("\"state\":\"FAILED\""), record);
                assertTrue(record.contains("restarted during DRAINING") && record.contains("the fence was lifted"), record);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                    try (Connection source = SERVERS.postgres.connect(db); Connection target = SERVERS.mariadb.connect(db)) {
                        Sql.assertSameRows(Sql.rows(source, "SELECT id, name FROM items ORDER BY id"),
                                Sql.rows(target, "SELECT id, name FROM items ORDER BY id"));
                    }
                });
            }
        }
    }

    /** The embedded broker's Kafka data is on the leader's disk: a second instance cannot stand by, it refuses. */
    @Test
    void aSecondInstanceWithTheEmbeddedBrokerRefusesToRunAndSaysThatHaNeedsAnExternalKafka() throws Exception {
        String db = "ha_embedded";
        prepare(db);
        Map<String, String> env = SERVERS.serviceEnv(db); // no bootstrap servers: the embedded broker
        env.put("GREENLIGHT_LEADER_ELECTION", "database");
        env.put("GREENLIGHT_LEADER_LEASE_DURATION", "3S");
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        try (ServiceProcess first = start(env, "first", log)) {
            awaitLeading(first);
            try (ServiceProcess second = start(env, "second", log)) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> "FAILED".equals(second.phase()));
                String status = second.get("/status");
                assertTrue(status.contains("Another Greenlight instance (first) is active") && status.contains(
                        "with the embedded Kafka broker only one instance can run"), status);
                assertTrue(status.contains("set greenlight.kafka.bootstrap-servers to an external Kafka cluster"), status);
                assertEquals("REFUSED", second.role());
                assertEquals("LEADER", first.role());
                assertEquals("STREAMING", first.phase());
            }
        }
    }

    /** An application write as the fenced role; true once it committed. */
    private static boolean appWrites(String db) {
        try (Connection c = new org.postgresql.Driver().connect(SERVERS.postgres.jdbcUrl(db) + "?user=ha_app", new java.util.Properties())) {
            Sql.exec(c, "INSERT INTO items (name) VALUES ('written')");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static final String TOKEN = "ha-test-token-0123456789abcdefghijklmnop";

    private static void prepare(String db) throws Exception {
        SERVERS.postgres.createDatabase(db);
        SERVERS.mariadb.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, WriteLoad.SCHEMA);
        }
    }

    /** Both instances alike: the test JVM's Kafka as their external cluster, a short lease; each its own data-dir. */
    private static Map<String, String> env(String db) throws Exception {
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_KAFKA_BOOTSTRAP_SERVERS", SERVERS.kafkaBootstrap);
        env.put("GREENLIGHT_LEADER_ELECTION", "database");
        env.put("GREENLIGHT_LEADER_LEASE_DURATION", LEASE.toSeconds() + "S");
        env.put("GREENLIGHT_API_TOKEN", TOKEN);
        return env;
    }

    private static ServiceProcess start(Map<String, String> env, String identity, Path log) throws Exception {
        Map<String, String> own = new HashMap<>(env);
        own.put("GREENLIGHT_LEADER_IDENTITY", identity);
        own.put("GREENLIGHT_DATA_DIR", Files.createTempDirectory("greenlight-data-" + identity).toString());
        return ServiceProcess.start(own, log);
    }

    private static void awaitLeading(ServiceProcess service) {
        awaitRole(service, "LEADER");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }

    private static void awaitRole(ServiceProcess service, String role) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .until(() -> role.equals(service.role()));
    }

    private static void awaitCaughtUp(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> service.statusNumber("endToEndSeconds") < 2.0);
    }

    private static long appliedLedgerRows(String db) {
        try (Connection target = SERVERS.mariadb.connect(db)) {
            return Sql.count(target, "ledger");
        } catch (Exception e) {
            return -1;
        }
    }

    private static void awaitExact(String db, WriteLoad load) throws Exception {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> WriteLoad.assertConverged(SERVERS.postgres, SERVERS.mariadb, db));
        try (Connection source = SERVERS.postgres.connect(db)) {
            assertEquals(load.committed(), Sql.count(source, "ledger"), "every acknowledged transaction wrote one ledger row");
        }
    }
}
