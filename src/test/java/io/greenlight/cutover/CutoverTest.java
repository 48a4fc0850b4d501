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
        authorized().body("{\"fence\": {\"mode\": \"NONE\"}}").post("/cutover").then().statusCode(400)
                .body("detail", containsString("\"acknowledgeUnfencedWrites\": true"));
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
    void aDryRunRunsEveryGuardrailAndChangesNothing() throws Exception {
        List<String> webhookBodies = new CopyOnWriteArrayList<>();
        HttpServer webhook = webhook(webhookBodies, 200);
        service("app-database-dry");
        String before = given().get("/cutover").path("id");
        try {
            Response report = authorized().body("""
                    {"dryRun": true, "maxLagSeconds": 3600, "fence": {"mode": "REVOKE", "roles": ["app_writer"]},
                     "actions": {"webhook": {"url": "http://127.0.0.1:%d/switched"},
                                 "kubernetes": {"namespace": "shop", "service": "app-database-dry", "selector": {"app": "mysql"}}}}"""
                    .formatted(webhook.getAddress().getPort())).post("/cutover");
            report.then().statusCode(200).body("wouldStart", equalTo(true))
                    .body("checks.name", org.hamcrest.Matchers.hasItems("pipeline", "lag", "pausedTables", "sourceTransactions",
                            "fence", "targetWritable", "switchActions"));
            assertEquals(before, given().get("/cutover").path("id"), "a dry run arms nothing");
            assertEquals(Map.of("app", "postgres"), selectorOf("app-database-dry"), "a dry run patches nothing");
            assertTrue(webhookBodies.isEmpty(), "a dry run POSTs nothing");
            appWrite(); // the REVOKE was tried inside a transaction that was rolled back
            authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200)
                    .body("options.fence.mode", equalTo("READ_ONLY"));
        } finally {
            webhook.stop(0);
        }
    }

    @Test
    @Order(6)
    void aWriteTransactionTheFenceWouldNotEndFailsTheGuardrailsAndNothingIsFenced() throws Exception {
        String options = """
                {"maxLagSeconds": 3600, "stableSeconds": 1, "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]}%s}""";
        try (Connection other = servers.postgres.connect(database())) { // not app_writer: the fence would not end it
            other.setAutoCommit(false);
            Sql.exec(other, "UPDATE branches SET name = name WHERE code = 'north'");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> !authorized()
                    .body(options.formatted(", \"dryRun\": true")).post("/cutover").jsonPath().getBoolean("wouldStart"));
            authorized().body(options.formatted("")).post("/cutover").then().statusCode(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(given().get("/cutover").path("state")));
            given().get("/cutover").then().body("reason", containsString("sourceTransactions"))
                    .body("reason", containsString("holds a write transaction open"))
                    .body("reason", containsString("nothing was fenced"))
                    .body("transitions.state", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("FENCING")));
            other.rollback();
        }
        appWrite();
    }

    @Test
    @Order(7)
    void aRevokeThatAGroupRoleStillGrantsFailsBeforeTheFenceNamingTheGrant() throws Exception {
        try (Connection c = servers.postgres.connect(database())) {
            Sql.exec(c, "DO $$ BEGIN CREATE ROLE app_group NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "GRANT INSERT, UPDATE ON accounts TO app_group", "GRANT app_group TO app_writer");
        }
        try {
            authorized().body("""
                    {"maxLagSeconds": 3600, "stableSeconds": 1, "fence": {"mode": "REVOKE", "roles": ["app_writer"]}}""")
                    .post("/cutover").then().statusCode(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(given().get("/cutover").path("state")));
            given().get("/cutover").then().body("reason", containsString("role app_writer can still write public.accounts"))
                    .body("reason", containsString("through role app_group, which holds INSERT, UPDATE"))
                    .body("transitions.state", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("FENCING")));
            appWrite();
        } finally {
            try (Connection c = servers.postgres.connect(database())) {
                Sql.exec(c, "REVOKE app_group FROM app_writer", "REVOKE ALL ON accounts FROM app_group");
            }
        }
    }

    @Test
    @Order(8)
    void theWriteBlockedBudgetRunningOutInVerifyingLiftsTheFenceBeforeAnySwitch() throws Exception {
        try (Connection lock = lockOnTarget("branches")) { // the verification's read of branches waits
            authorized().body("""
                    {"maxLagSeconds": 3600, "stableSeconds": 1, "verify": true, "maxWriteBlockedSeconds": 20,
                     "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]}}""").post("/cutover").then().statusCode(202);
            await().atMost(Duration.ofSeconds(90)).until(() -> "FAILED".equals(given().get("/cutover").path("state")));
        }
        given().get("/cutover").then().body("reason", containsString("maxWriteBlockedSeconds (20.0 s) ran out in VERIFYING"))
                .body("reason", containsString("the fence was lifted"))
                .body("fenceUp", equalTo(false))
                .body("transitions.state", org.hamcrest.Matchers.hasItem("VERIFYING"))
                .body("transitions.state", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("SWITCHING")));
        appWrite();
    }

    @Test
    @Order(9)
    void theWriteBlockedBudgetRunningOutWhilePostponedLiftsTheFenceBeforeAnySwitch() throws Exception {
        authorized().body("""
                {"maxLagSeconds": 3600, "stableSeconds": 1, "postpone": true, "maxWriteBlockedSeconds": 10,
                 "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]}}""").post("/cutover").then().statusCode(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(given().get("/cutover").path("state")));
        given().get("/cutover").then().body("reason", containsString("maxWriteBlockedSeconds (10.0 s) ran out in POSTPONED"))
                .body("reason", containsString("the fence was lifted"))
                .body("transitions.state", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("SWITCHING")));
        appWrite();
    }

    @Test
    @Order(10)
    void aWebhookFailingAfterTheServicePatchRevertsTheSelectorBeforeTheFenceIsLifted() throws Exception {
        HttpServer webhook = webhook(new CopyOnWriteArrayList<>(), 500);
        service("app-database-revert");
        try {
            authorized().body(switchingCutover("app-database-revert", webhook)).post("/cutover").then().statusCode(202);
            await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(given().get("/cutover").path("state")));
            given().get("/cutover").then().body("reason", containsString("answered 500"))
                    .body("reason", containsString("the fence was lifted"))
                    .body("switchRuns.find { it.action == 'kubernetes' }.state", equalTo("REVERTED"))
                    .body("switchRuns.find { it.action == 'webhook' }.state", equalTo("FAILED"))
                    .body("transitions.state", org.hamcrest.Matchers.hasItem("SWITCHING"));
            assertEquals(Map.of("app", "postgres"), selectorOf("app-database-revert"), "the selector points at the source again");
            appWrite();
        } finally {
            webhook.stop(0);
        }
    }

    @Test
    @Order(11)
    void aSwitchThatCannotBeRevertedKeepsTheSourceFencedAndBlocksANewCutoverUntilLifted() throws Exception {
        service("app-database-stuck");
        // The webhook fails after the Service was patched, and the Service is gone by then: the patch cannot be reverted.
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/switched", exchange -> {
            if (exchange.getRequestMethod().equals("POST")) {
                kubernetes.getClient().services().inNamespace("shop").withName("app-database-stuck").delete();
            }
            exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? 500 : 200, -1);
            exchange.close();
        });
        webhook.start();
        try {
            authorized().body(switchingCutover("app-database-stuck", webhook)).post("/cutover").then().statusCode(202);
            await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(given().get("/cutover").path("state")));
            Response failed = given().get("/cutover");
            failed.then().body("reason", containsString("THE SOURCE STAYS FENCED"))
                    .body("reason", containsString("kubectl -n shop patch service app-database-stuck --type=json"))
                    .body("fenceUp", equalTo(true));
            assertThrows(SQLException.class, this::appWrite, "the source stays fenced while the switch may point at the target");
            given().get("/status").then().body("cutover.fenceUp", equalTo(true)).body("cutover.state", equalTo("FAILED"));
            given().get("/q/metrics").then().body(containsString("greenlight_cutover_fence_up 1.0"));

            List<String> undo = failed.jsonPath().getList("fenceUndo");
            authorized().body("{}").post("/cutover").then().statusCode(409)
                    .body("detail", containsString("fence is still up")).body("detail", containsString(String.join("; ", undo)));

            try (Connection c = servers.postgres.connect(database())) { // the operator follows the steps, in a session of the fenced database
                Sql.exec(c, undo.toArray(String[]::new));
            }
            appWrite();
            authorized().body("{\"maxLagSeconds\": 0.001, \"stableSeconds\": 60}").post("/cutover").then().statusCode(202);
            authorized().delete("/cutover").then().statusCode(200).body("state", equalTo("ABORTED"));
        } finally {
            webhook.stop(0);
        }
    }

    @Test
    @Order(12)
    void anUnreadableHistoryAnswers503AndArmsNothing() throws Exception {
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "INSERT INTO greenlight_cutover (id, state, record) VALUES ('garbled', 'COMPLETED', '{not json')");
        }
        try {
            pipeline.stop();
            pipeline.start();
            // A dry run while waiting: it never arms, whatever moment of the restart it hits.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(503));
            authorized().body("{}").post("/cutover").then().statusCode(503)
                    .body("detail", containsString("garbled")).body("detail", containsString("cannot be read"));
        } finally {
            try (Connection t = engine().connect(database())) {
                Sql.exec(t, "DELETE FROM greenlight_cutover WHERE id = 'garbled'");
            }
            pipelineIsStreaming(); // capture cannot be stopped while its tasks are still starting
            pipeline.stop();
            pipeline.start();
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200));
    }

    @Test
    @Order(20)
    void waitsWhileLagIsHighThenFencesDrainsSyncsVerifiesSwitchesAndFiresOnce() throws Exception {
        List<String> webhookBodies = new CopyOnWriteArrayList<>();
        HttpServer webhook = webhook(webhookBodies, 200);
        service("app-database");
        try {
            startLoad();
            await().atMost(Duration.ofSeconds(30)).until(() -> committed.get() > 100);
            authorized().body("""
                    {"maxLagSeconds": 2, "stableSeconds": 5, "timeoutSeconds": 120, "verify": true, "maxWriteBlockedSeconds": 120,
                     "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]},
                     "actions": {"webhook": {"url": "http://127.0.0.1:%d/switched?token=s3cr3t"},
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
            assertTrue(!record.asString().contains("s3cr3t") && record.asString().contains("/switched?***"),
                    "GET /cutover hides the webhook's query string: " + record.jsonPath().getString("options.actions.webhook.url"));
            try (Connection t = engine().connect(database())) { // every cutover of this suite kept its own record
                List<List<String>> history = Sql.rows(t, "SELECT id, state FROM greenlight_cutover");
                assertTrue(history.size() >= 10, "one row per cutover: " + history);
                assertTrue(history.stream().filter(row -> row.get(1).equals("FAILED")).count() >= 6, "earlier records kept: " + history);
            }
        } finally {
            webhook.stop(0);
        }
    }

    @Test
    @Order(21)
    void aWriteReachingTheOldSourceAfterTheCutoverIsReportedNotApplied() throws Exception {
        given().get("/cutover").then().body("state", equalTo("COMPLETED"));
        String targetBefore;
        try (Connection t = engine().connect(database())) {
            targetBefore = Sql.rows(t, "SELECT balance FROM accounts WHERE id = 7").get(0).get(0);
        }
        try (Connection s = servers.postgres.connect(database())) { // a superuser passes the READ_ONLY fence
            s.setAutoCommit(false);
            Sql.exec(s, "SET TRANSACTION READ WRITE", "UPDATE accounts SET balance = -42 WHERE id = 7");
            s.commit();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> given().get("/status").then()
                .body("cutover.unapplied.find { it.table == 'public.accounts' }.keys", org.hamcrest.Matchers.hasItem("{id=7}")));
        given().get("/status").then().body("cutover.applyGate", containsString("COMPLETED"));
        given().get("/q/metrics").then().body(containsString("greenlight_cutover_unapplied_changes_total{table=\"public.accounts\"}"));
        try (Connection t = engine().connect(database())) {
            assertEquals(targetBefore, Sql.rows(t, "SELECT balance FROM accounts WHERE id = 7").get(0).get(0),
                    "the new primary's row is not overwritten by the old source");
        }
    }

    @Test
    @Order(22)
    void writesOnTheNewPrimaryReachTheOldSourceAndNothingForwardComesBack() throws Exception {
        awaitReverseRunning();
        long appliedBefore = given().get("/status").jsonPath().getLong("reverse.changesApplied");
        long transfer;
        try (Connection t = engine().connect(database())) {
            transfer = Long.parseLong(Sql.rows(t, "SELECT min(id) FROM transfers").get(0).get(0));
            Sql.exec(t, "INSERT INTO accounts (owner, balance) VALUES ('opened after the switch', 5)",
                    "UPDATE accounts SET balance = balance + 10 WHERE id IN (3, 7)", // 7 differs on the old source (test 21)
                    "DELETE FROM transfers WHERE id = " + transfer,
                    "INSERT INTO transfers (account, amount, at) VALUES (3, 10.25, '2026-01-02 03:04:05.678901')");
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
                Sql.assertSameRows(Sql.rows(t, "SELECT id, owner, balance FROM accounts ORDER BY id"),
                        Sql.rows(s, "SELECT id, owner, balance FROM accounts ORDER BY id"));
                Sql.assertSameRows(Sql.rows(t, "SELECT id, account, amount, at FROM transfers ORDER BY id"),
                        Sql.rows(s, "SELECT id, account, amount, at FROM transfers ORDER BY id"));
            }
        });
        assertEquals(5, given().get("/status").jsonPath().getLong("reverse.changesApplied") - appliedBefore,
                "exactly the new primary's own changes were applied back: none of those forward apply wrote");
        given().get("/status").then().body("direction", equalTo("REVERSE"));
        given().get("/q/metrics").then().body(containsString("cdc_reverse_lag_seconds"));
    }

    @Test
    @Order(27)
    void rollbackThenSwitchAgainThenCompleteLoseNoAcknowledgedWriteUnderLoad() throws Exception {
        awaitReverseRunning();
        applicationMayWriteTheTarget();
        int port = java.net.URI.create(given().get("/cutover").jsonPath().getString("options.actions.webhook.url")).getPort();
        com.sun.net.httpserver.HttpServer webhook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", port), 0); // the operator brought the receiver back
        webhook.createContext("/switched", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        Ledger ledger = new Ledger();
        Thread app = new Thread(ledger, "ledger-app");
        app.start();
        try {
            ledger.awaitMore(50, "on the new primary");
            authorized().post("/rollback").then().statusCode(202);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "ROLLED_BACK".equals(given().get("/cutover").path("state")));
            double rollbackBlocked = given().get("/cutover").jsonPath().getDouble("rollback.writeBlockedSeconds");
            System.out.printf("rollback write-blocked window under load: %.3f s (%d acknowledged writes so far)%n",
                    rollbackBlocked, ledger.acknowledged.size());
            assertEquals(java.util.Map.of("app", "postgres"), selector(), "the application talks to the source again");
            ledger.awaitMore(50, "on the source after the rollback");
            awaitBothSidesHold(ledger, "after the rollback", false);

            authorized().body("""
                    {"maxLagSeconds": 5, "stableSeconds": 1, "timeoutSeconds": 120, "maxWriteBlockedSeconds": 60,
                     "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]},
                     "actions": {"kubernetes": {"namespace": "shop", "service": "app-database", "selector": {"app": "mysql"}}}}""")
                    .post("/cutover").then().statusCode(202);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .failFast("cutover FAILED", () -> "FAILED".equals(given().get("/cutover").path("state")))
                    .until(() -> "COMPLETED".equals(given().get("/cutover").path("state")));
            System.out.printf("second switch write-blocked window under load: %.3f s%n",
                    given().get("/cutover").jsonPath().getDouble("writeBlockedSeconds"));
            awaitReverseRunning();
            ledger.awaitMore(50, "on the target after switching again");
            awaitBothSidesHold(ledger, "after switching again", true);

            authorized().post("/complete").then().statusCode(200).body("state", equalTo("FINISHED"));
            given().get("/status").then().body("direction", equalTo("NONE"));
            // Each verb fires once: a second complete, a new cutover and its dry run all refuse, and none advises a verb that refuses too.
            authorized().post("/complete").then().statusCode(409)
                    .body("detail", containsString("already FINISHED")).body("detail", org.hamcrest.Matchers.not(containsString("POST /cutover")));
            authorized().body("{}").post("/cutover").then().statusCode(409).body("detail", containsString("The migration is finished"));
            authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200).body("wouldStart", equalTo(false))
                    .body("checks.find { it.name == 'firesOnce' }.detail", containsString("The migration is finished"));
            ledger.awaitMore(20, "on the target after complete");
        } finally {
            ledger.stop();
            app.join();
            webhook.stop(0);
        }
        try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
            List<List<String>> onTarget = Sql.rows(t, "SELECT id FROM transfers ORDER BY id");
            java.util.Set<String> targetIds = new java.util.HashSet<>();
            onTarget.forEach(r -> targetIds.add(r.get(0)));
            for (long acked : ledger.acknowledged) {
                assertTrue(targetIds.contains(Long.toString(acked)), "acknowledged transfer " + acked + " is on the new primary");
            }
            assertEquals("f", Sql.rows(s, "SELECT (to_regclass('greenlight.greenlight_reverse') IS NOT NULL)::text").get(0).get(0)
                    .substring(0, 1), "the reverse bookkeeping is removed from the source");
            assertEquals("0", Sql.rows(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'greenlight_bank'").get(0).get(0));
            assertEquals(0, Sql.rows(t, engine() == TargetEngine.POSTGRES
                    ? "SELECT 1 WHERE to_regclass('public.greenlight_reverse_heartbeat') IS NOT NULL"
                    : "SHOW TABLES LIKE 'greenlight_reverse_heartbeat'").size(), "the reverse heartbeat table is removed from the target");
            if (engine() == TargetEngine.POSTGRES) {
                assertEquals(List.of(), Sql.rows(t, "SELECT slot_name FROM pg_replication_slots"), "the reverse slot is removed from the target");
                assertEquals(List.of(), Sql.rows(t, "SELECT pubname FROM pg_publication"), "the reverse publication is removed from the target");
            }
        }
    }

    /** Every acknowledged write is on both sides, once; the primary's next generated key is past every key. */
    private void awaitBothSidesHold(Ledger ledger, String when, boolean primaryIsTarget) {
        List<Long> acknowledged = List.copyOf(ledger.acknowledged);
        // One writer: every key up to the newest acknowledged one is committed; later ones may still be on their way.
        long upTo = acknowledged.stream().mapToLong(Long::longValue).max().orElse(0);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
                List<List<String>> source = Sql.rows(s, "SELECT id, account, amount FROM transfers WHERE id <= ? ORDER BY id", upTo);
                List<List<String>> target = Sql.rows(t, "SELECT id, account, amount FROM transfers WHERE id <= ? ORDER BY id", upTo);
                java.util.Set<String> ids = new java.util.HashSet<>();
                source.forEach(r -> ids.add(r.get(0)));
                for (long acked : acknowledged) {
                    assertTrue(ids.contains(Long.toString(acked)), when + ": acknowledged transfer " + acked + " is on the source");
                }
                Sql.assertSameRows(source, target);
            }
        });
        // The primary's key generator continues past every key it holds (the standby's follows with explicit keys).
        try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
            if (primaryIsTarget) {
                long max = Long.parseLong(Sql.rows(t, "SELECT coalesce(max(id), 0) FROM transfers").get(0).get(0));
                long next = Long.parseLong(Sql.rows(t, engine() == TargetEngine.POSTGRES
                        ? "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM transfers_id_seq"
                        : "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bank' AND TABLE_NAME = 'transfers'")
                        .get(0).get(0));
                assertTrue(next > max, when + ": the target's AUTO_INCREMENT continues at " + next + " past key " + max);
            } else {
                long max = Long.parseLong(Sql.rows(s, "SELECT coalesce(max(id), 0) FROM transfers").get(0).get(0));
                long next = Long.parseLong(Sql.rows(s, "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END "
                        + "FROM transfers_id_seq").get(0).get(0));
                assertTrue(next > max, when + ": the source's sequence continues at " + next + " past key " + max);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private java.util.Map<String, String> selector() {
        return kubernetes.getClient().services().inNamespace("shop").withName("app-database").get().getSpec().getSelector();
    }

    /**
     * The application: inserts a transfer as app_writer on whichever database the Service selects,
     * keeping the id of every insert whose commit was acknowledged.
     */
    private final class Ledger implements Runnable {

        final java.util.Queue<Long> acknowledged = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private volatile boolean writing = true;

        @Override
        public void run() {
            while (writing) {
                try {
                    boolean target = "mysql".equals(selector().get("app")); // the label of the new primary, whatever its engine
                    acknowledged.add(target ? insertOnTarget() : insertOnSource());
                    Thread.sleep(5);
                } catch (java.sql.SQLException | RuntimeException refused) {
                    sleepQuietly(); // fenced, or ended by a fence: not acknowledged
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private long insertOnSource() throws java.sql.SQLException {
            try (Connection c = new org.postgresql.Driver().connect(servers.postgres.jdbcUrl(database()) + "?user=app_writer",
                    new java.util.Properties())) {
                return Long.parseLong(Sql.rows(c, "INSERT INTO transfers (account, amount) VALUES (1, 1) RETURNING id").get(0).get(0));
            }
        }

        private long insertOnTarget() throws java.sql.SQLException {
            if (engine() == TargetEngine.POSTGRES) {
                try (Connection c = new org.postgresql.Driver().connect(engine().jdbcUrl(database()) + "?user=app_writer",
                        new java.util.Properties())) {
                    // The target's table has no default for at (a PostgreSQL target copies no column defaults).
                    return Long.parseLong(Sql.rows(c, "INSERT INTO transfers (account, amount, at) VALUES (1, 1, now()) RETURNING id")
                            .get(0).get(0));
                }
            }
            java.util.Properties props = new java.util.Properties();
            props.put("user", "app_writer");
            props.put("password", "");
            try (Connection c = new com.mysql.cj.jdbc.Driver().connect(servers.mariadb.jdbcUrl(database()), props);
                 java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO transfers (account, amount, at) "
                         + "VALUES (1, 1, UTC_TIMESTAMP(6))", java.sql.Statement.RETURN_GENERATED_KEYS)) {
                ps.executeUpdate();
                try (java.sql.ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        }

        void awaitMore(int writes, String where) {
            int from = acknowledged.size();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> acknowledged.size() >= from + writes);
        }

        void stop() {
            writing = false;
        }

        private void sleepQuietly() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The application's role on the target too (app_writer), allowed to write the bank's tables. */
    private void applicationMayWriteTheTarget() throws SQLException {
        try (Connection t = engine().connect(database())) {
            if (engine() == TargetEngine.POSTGRES) {
                Sql.exec(t, "DO $$ BEGIN CREATE ROLE app_writer LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                        "GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, transfers TO app_writer",
                        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_writer");
            } else {
                Sql.exec(t, "CREATE USER IF NOT EXISTS 'app_writer'@'%'", "GRANT SELECT, INSERT, UPDATE, DELETE ON bank.* TO 'app_writer'@'%'");
            }
        }
    }

    protected static void awaitReverseRunning() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().get("/status").then().body("reverse.running", equalTo(true)));
    }

    private void service(String name) {
        kubernetes.getClient().services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata()
                .withName(name).endMetadata().withNewSpec().withSelector(Map.of("app", "postgres")).endSpec().build()).create();
    }

    private Map<String, String> selectorOf(String name) {
        return kubernetes.getClient().services().inNamespace("shop").withName(name).get().getSpec().getSelector();
    }

    /** A cutover that reaches SWITCHING at once: patch the Service, then POST the webhook. */
    private static String switchingCutover(String serviceName, HttpServer webhook) {
        return """
                {"maxLagSeconds": 3600, "stableSeconds": 1, "maxWriteBlockedSeconds": 60,
                 "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]},
                 "actions": {"webhook": {"url": "http://127.0.0.1:%d/switched"},
                             "kubernetes": {"namespace": "shop", "service": "%s", "selector": {"app": "mysql"}}}}"""
                .formatted(webhook.getAddress().getPort(), serviceName);
    }

    /** Holds a lock on a target table in a session of its own; closing the connection releases it. */
    private Connection lockOnTarget(String table) throws SQLException {
        Connection c = engine().connect(database());
        if (engine() == TargetEngine.POSTGRES) {
            c.setAutoCommit(false);
            Sql.exec(c, "LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        } else {
            Sql.exec(c, "LOCK TABLES `" + table + "` WRITE");
        }
        return c;
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

    protected static RequestSpecification authorized() {
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

    protected void appWrite() throws SQLException {
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

    /** Answers {@code status} to each POST (whose body it keeps) and 200 to the HEAD probe of the guardrails. */
    private static HttpServer webhook(List<String> bodies, int status) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/switched", exchange -> {
            boolean post = exchange.getRequestMethod().equals("POST");
            if (post) {
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(post ? status : 200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
