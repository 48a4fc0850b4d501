package io.greenlight.cutover;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.greenlight.testing.CutoverTestResource;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cutover against the real servers under a concurrent write load by the application role:
 * waits for lag, fences, drains exactly, syncs sequences, verifies, switches, fires once.
 * The completed cutover runs last: after it, every POST is a 409 (it fires once). One suite,
 * run against each target engine by {@link CutoverMariaDbTest} and {@link CutoverPostgresTest}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class CutoverTest {

    private final TestServers servers = TestServers.get();

    /** The engine the app under test writes to (its test resource picks it). */
    protected abstract TargetEngine engine();

    /** The source and target database of that resource. */
    protected abstract String database();

    @KubernetesTestServer
    KubernetesServer kubernetes;

    @jakarta.inject.Inject
    io.greenlight.Pipeline pipeline;

    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private Thread writer;

    @BeforeEach
    void pipelineIsStreaming() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("the pipeline FAILED", () -> "FAILED".equals(given().get("/status").path("phase")))
                .untilAsserted(() -> given().get("/status").then().body("phase", equalTo("STREAMING")));
    }

    @AfterEach
    void stopLoadAndRestoreTheTarget() throws Exception {
        writing.set(false);
        if (writer != null) {
            writer.join();
        }
        engine().startProcessIfStopped();
    }

    @Test
    @Order(1)
    void badRequestsAreRefusedWithJsonErrors() {
        given().contentType("application/json").body("{}").post("/cutover").then().statusCode(401)
                .body("error", equalTo("Unauthorized"));
        given().contentType("application/json").header("Authorization", "Bearer wrong").body("{}").post("/cutover")
                .then().statusCode(401);
        authorized().body("{\"maxLagSeconds\": -1}").post("/cutover").then().statusCode(400)
                .body("detail", containsString("maxLagSeconds"));
        authorized().body("{\"maxLagSecs\": 1}").post("/cutover").then().statusCode(400).body("error", equalTo("Bad Request"));
        authorized().body("{not json").post("/cutover").then().statusCode(400).body("error", equalTo("Bad Request"));
        authorized().body("{\"fence\": {\"mode\": \"REVOKE\"}}").post("/cutover").then().statusCode(400)
                .body("detail", containsString("fence.roles"));
        given().get("/cutover").then().statusCode(404).body("error", equalTo("Not Found"));
    }

    @Test
    @Order(2)
    void abortBeforeTheFenceEndsAbortedAndLeavesTheSourceWritable() throws Exception {
        authorized().body("{\"maxLagSeconds\": 0.001, \"stableSeconds\": 60, \"fence\": {\"mode\": \"READ_ONLY\"}}")
                .post("/cutover").then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "WAITING_FOR_LAG".equals(given().get("/cutover").path("state")));
        authorized().body("{}").post("/cutover").then().statusCode(409).body("cutover.state", equalTo("WAITING_FOR_LAG"));
        authorized().delete("/cutover").then().statusCode(200).body("state", equalTo("ABORTED"));
        appWrite();
    }

    @Test
    @Order(3)
    void failureAfterTheFenceLiftsItAndEndsFailed() throws Exception {
        authorized().body("""
                {"maxLagSeconds": 3600, "stableSeconds": 3, "timeoutSeconds": 30,
                 "fence": {"mode": "REVOKE", "roles": ["app_writer"]}}""").post("/cutover").then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "WAITING_FOR_LAG".equals(given().get("/cutover").path("state")));
        pipeline.stop(); // capture is gone: the drain marker cannot be written
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(given().get("/cutover").path("state")));
            given().get("/cutover").then().body("reason", containsString("pipeline is not running"))
                    .body("reason", containsString("fence was lifted"))
                    .body("transitions.state", org.hamcrest.Matchers.hasItem("FENCING"));
            appWrite();
        } finally {
            pipeline.start();
        }
    }

    @Test
    @Order(4)
    void anUnreachableWebhookFailsTheCutoverBeforeTheFence() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        authorized().body("""
                {"maxLagSeconds": 3600, "stableSeconds": 1, "fence": {"mode": "READ_ONLY"},
                 "actions": {"webhook": {"url": "http://127.0.0.1:%d/switched"}}}""".formatted(closedPort))
                .post("/cutover").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(given().get("/cutover").path("state")));
        given().get("/cutover").then().body("reason", containsString("is unreachable"))
                .body("reason", containsString("nothing was fenced"))
                .body("transitions.state", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("FENCING")));
        appWrite();
    }

    @Test
    @Order(5)
    void waitsWhileLagIsHighThenFencesDrainsSyncsVerifiesSwitchesAndFiresOnce() throws Exception {
        List<String> webhookBodies = new CopyOnWriteArrayList<>();
        HttpServer webhook = webhook(webhookBodies);
        kubernetes.getClient().services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata()
                .withName("app-database").endMetadata().withNewSpec().withSelector(Map.of("app", "postgres")).endSpec().build()).create();
        try {
            startLoad();
            await().atMost(Duration.ofSeconds(30)).until(() -> committed.get() > 100);
            authorized().body("""
                    {"maxLagSeconds": 2, "stableSeconds": 5, "timeoutSeconds": 120, "verify": true,
                     "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]},
                     "actions": {"webhook": {"url": "http://127.0.0.1:%d/switched"},
                                 "kubernetes": {"namespace": "shop", "service": "app-database", "selector": {"app": "mysql"}}}}"""
                    .formatted(webhook.getAddress().getPort()))
                    .post("/cutover").then().statusCode(202).body("state", equalTo("ARMED"));
            await().atMost(Duration.ofSeconds(10)).until(() -> "WAITING_FOR_LAG".equals(given().get("/cutover").path("state")));
            engine().stopProcess();
            await().atMost(Duration.ofSeconds(30)).until(() -> lagSeconds() > 4);
            given().get("/cutover").then().body("state", equalTo("WAITING_FOR_LAG"));
            engine().startProcess();

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .failFast("cutover FAILED", () -> "FAILED".equals(given().get("/cutover").path("state")))
                    .until(() -> "COMPLETED".equals(given().get("/cutover").path("state")));
            Response record = given().get("/cutover");
            System.out.printf("cutover write-blocked window under load: %.3f s (%d transactions committed)%n",
                    record.jsonPath().getDouble("writeBlockedSeconds"), committed.get());
            assertTrue(record.jsonPath().getDouble("writeBlockedSeconds") > 0);
            assertEquals(List.of("ARMED", "WAITING_FOR_LAG", "FENCING", "DRAINING", "SYNCING_SEQUENCES", "VERIFYING",
                    "SWITCHING", "COMPLETED"), record.jsonPath().getList("transitions.state"));

            await().atMost(Duration.ofSeconds(10)).until(() -> refused.get() > 0);
            writing.set(false);
            writer.join();
            try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
                Sql.assertSameRows(Sql.rows(s, "SELECT id, owner, balance FROM accounts ORDER BY id"),
                        Sql.rows(t, "SELECT id, owner, balance FROM accounts ORDER BY id"));
                Sql.assertSameRows(Sql.rows(s, "SELECT id, account, amount, at FROM transfers ORDER BY id"),
                        Sql.rows(t, "SELECT id, account, amount, at FROM transfers ORDER BY id"));
                long sourceNext = Long.parseLong(Sql.rows(s, "SELECT last_value + 1 FROM transfers_id_seq").get(0).get(0));
                long targetNext = targetNextKey(t, "transfers", "id");
                assertTrue(targetNext >= sourceNext, "target continues at " + targetNext + ", source sequence at " + sourceNext);
                long accountsNext = Long.parseLong(Sql.rows(s, "SELECT last_value + 1 FROM accounts_id_seq").get(0).get(0));
                assertEquals(accountsNext, targetNextKey(t, "accounts", "id"), "serial column: the target continues where the source would");
            }
            assertThrows(SQLException.class, this::appWrite, "the fenced role cannot write on the source");
            assertEquals(1, webhookBodies.size());
            assertTrue(webhookBodies.get(0).contains(record.jsonPath().getString("id")));
            assertEquals(Map.of("app", "mysql"), kubernetes.getClient().services().inNamespace("shop")
                    .withName("app-database").get().getSpec().getSelector());

            authorized().body("{}").post("/cutover").then().statusCode(409)
                    .body("cutover.id", equalTo(record.jsonPath().getString("id"))).body("detail", containsString("fires once"));
            given().get("/q/metrics").then().body(containsString("greenlight_cutover_state{state=\"COMPLETED\"} 1.0"));
        } finally {
            webhook.stop(0);
        }
    }

    /**
     * The key the target generates next for the column: MySQL's AUTO_INCREMENT, or nextval() of the
     * PostgreSQL target's own sequence (serial or identity).
     */
    private long targetNextKey(Connection target, String table, String column) throws SQLException {
        String query = engine() == TargetEngine.POSTGRES
                ? "SELECT nextval(pg_get_serial_sequence('public." + table + "', '" + column + "'))"
                : "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + database()
                + "' AND TABLE_NAME = '" + table + "'";
        return Long.parseLong(Sql.rows(target, query).get(0).get(0));
    }

    private RequestSpecification authorized() {
        return given().contentType("application/json").header("Authorization", "Bearer " + CutoverTestResource.TOKEN);
    }

    private static double lagSeconds() {
        return given().get("/status").jsonPath().getDouble("lag.endToEndSeconds");
    }

    /** The application: transfers as app_writer, one transaction every few ms, counting refusals once fenced. */
    private void startLoad() {
        writing.set(true);
        writer = new Thread(() -> {
            while (writing.get()) {
                try {
                    appWrite();
                    committed.incrementAndGet();
                    Thread.sleep(3);
                } catch (SQLException e) {
                    refused.incrementAndGet();
                    pause();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "app-writer");
        writer.start();
    }

    private void appWrite() throws SQLException {
        try (Connection c = new org.postgresql.Driver().connect(servers.postgres.jdbcUrl(database()) + "?user=app_writer",
                new java.util.Properties())) {
            c.setAutoCommit(false);
            int account = ThreadLocalRandom.current().nextInt(1, 201);
            try (PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO transfers (account, amount) VALUES (?, 1)")) {
                update.setInt(1, account);
                update.executeUpdate();
                insert.setInt(1, account);
                insert.executeUpdate();
            }
            c.commit();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpServer webhook(List<String> bodies) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/switched", exchange -> {
            if (exchange.getRequestMethod().equals("POST")) { // Greenlight probes with HEAD before the fence
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
