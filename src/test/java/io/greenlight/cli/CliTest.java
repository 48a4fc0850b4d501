package io.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.greenlight.testing.CutoverTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI drives a whole migration against the running service: status, verify, an aborted and a completed cutover. */
@QuarkusTest
@WithTestResource(CliTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliTest {

    record Run(int exit, String out, String err) {
    }

    private static Run cli(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GreenlightCli.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), false);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Map<String, String> env(boolean withToken) {
        Map<String, String> env = new HashMap<>();
        env.put("GREENLIGHT_URL", "http://localhost:" + RestAssured.port);
        if (withToken) {
            env.put("GREENLIGHT_API_TOKEN", CutoverTestResource.TOKEN);
        }
        return env;
    }

    private static Run cli(String... args) {
        return cli(env(true), args);
    }

    @BeforeEach
    void pipelineIsStreaming() {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .failFast("the pipeline FAILED", () -> "FAILED".equals(given().get("/status").path("phase")))
                .untilAsserted(() -> given().get("/status").then().body("phase", equalTo("STREAMING")));
    }

    @Test
    @Order(1)
    void statusPrintsThePhaseLagAndEveryTableAndExits0() {
        Run run = cli("status");
        assertEquals(ExitCode.OK, run.exit(), run.err());
        assertTrue(run.out().startsWith("phase STREAMING  lag "), run.out());
        assertTrue(run.out().contains("public.accounts") && run.out().contains("public.transfers"), run.out());
    }

    @Test
    @Order(2)
    void statusAsJsonIsOneParsableObjectPerLine() throws Exception {
        Run run = cli("--json", "status");
        assertEquals(ExitCode.OK, run.exit(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(1, lines.size(), run.out());
        JsonNode line = ApiClient.JSON.readTree(lines.get(0));
        assertEquals("STREAMING", line.path("status").path("phase").asText());
    }

    @Test
    @Order(3)
    void withoutATokenAMutatingCommandExits4SayingHowToSetIt() {
        Run run = cli(env(false), "verify");
        assertEquals(ExitCode.API_ERROR, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("POST /verify answered 401") && run.err().contains("set GREENLIGHT_API_TOKEN or --token-file"),
                run.err());
    }

    @Test
    @Order(4)
    void anUnreachableServerExits4NamingTheAddress() {
        Map<String, String> env = env(true);
        env.put("GREENLIGHT_URL", "http://127.0.0.1:1");
        Run run = cli(env, "status");
        assertEquals(ExitCode.API_ERROR, run.exit());
        assertTrue(run.err().contains("Cannot reach Greenlight at http://127.0.0.1:1/"), run.err());
        assertFalse((run.out() + run.err()).contains(CutoverTestResource.TOKEN), "the token is never printed");
    }

    @Test
    @Order(5)
    void watchingForACutoverThatNobodyStartedTimesOutWithExit3() {
        Run run = cli("watch", "--until", "cutover", "--timeout", "2");
        assertEquals(ExitCode.TIMEOUT, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("Timed out: still waiting for cutover after 2 s"), run.err());
        assertTrue(run.out().startsWith("phase STREAMING"), "plain lines when not on a terminal: " + run.out());
        assertFalse(run.out().contains("\033["), "no terminal escapes in plain output");
    }

    @Test
    @Order(6)
    void verifyFollowsTheVerificationToPassedAndExits0() {
        Run run = cli("verify");
        assertEquals(ExitCode.OK, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains(" PASSED "), run.out());
    }

    @Test
    @Order(7)
    void unknownOptionsExit64WithTheUsage() {
        Run run = cli("cutover", "--fencing", "READ_ONLY");
        assertEquals(ExitCode.USAGE, run.exit());
        assertTrue(run.err().contains("Unknown option") && run.err().contains("'--fencing'") && run.err().contains("Usage: greenlight cutover"),
                run.err());
    }

    @Test
    @Order(8)
    void aCutoverAbortedWhileWaitingForLagExits2() throws Exception {
        CompletableFuture<Run> cutover = CompletableFuture.supplyAsync(() ->
                cli("cutover", "--fence", "READ_ONLY", "--roles", "app_writer", "--max-lag", "0.01", "--timeout", "120"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_FOR_LAG".equals(given().get("/cutover").path("state")));
        Run abort = cli("abort");
        assertEquals(ExitCode.OK, abort.exit(), abort.out() + abort.err());
        Run run = cutover.get(60, TimeUnit.SECONDS);
        assertEquals(ExitCode.ABORTED, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("cutover ") && run.out().contains("  WAITING_FOR_LAG"), run.out());
        assertTrue(run.out().trim().endsWith("Cutover ABORTED. Reason: " + given().get("/cutover").path("reason")), run.out());
    }

    @Test
    @Order(9)
    void aCutoverRunsToCompletedPrintingItsTransitionsAndTheWriteBlockedWindow() throws Exception {
        TestServers servers = TestServers.get();
        try (Connection source = servers.postgres.connect(CliTestResource.DATABASE)) {
            Sql.exec(source, "INSERT INTO accounts (owner, balance) VALUES ('last before the cutover', 7)");
        }
        Run run = cli("cutover", "--fence", "READ_ONLY", "--roles", "app_writer", "--verify", "--timeout", "240");
        assertEquals(ExitCode.OK, run.exit(), run.out() + run.err());
        for (String state : List.of("ARMED", "WAITING_FOR_LAG", "FENCING", "DRAINING", "SYNCING_SEQUENCES", "VERIFYING", "SWITCHING", "COMPLETED")) {
            assertTrue(run.out().contains("  " + state), state + " missing in: " + run.out());
        }
        double blocked = given().get("/cutover").jsonPath().getDouble("writeBlockedSeconds");
        assertTrue(run.out().contains("Cutover COMPLETED: writes were blocked for " + ProgressView.seconds(blocked)), run.out());
        try (Connection target = TargetEngine.MARIADB.connect(CliTestResource.DATABASE)) {
            assertEquals(0, new java.math.BigDecimal(Sql.rows(target, "SELECT balance FROM accounts WHERE owner = 'last before the cutover'")
                    .get(0).get(0)).compareTo(java.math.BigDecimal.valueOf(7)), "the last change before the fence is on the target");
        }
    }

    @Test
    @Order(10)
    void aSecondCutoverFollowsTheCompletedOneInsteadOfStartingAnother() {
        Run run = cli("cutover", "--fence", "READ_ONLY");
        assertEquals(ExitCode.OK, run.exit(), run.out() + run.err());
        assertTrue(run.out().startsWith("A cutover exists already (COMPLETED): following it, not starting another."), run.out());
        Run watch = cli("--json", "watch", "--until", "cutover");
        assertEquals(ExitCode.OK, watch.exit());
        assertTrue(watch.out().contains("\"state\":\"COMPLETED\""), watch.out());
    }

    @Test
    @Order(11)
    void abortAfterTheFenceIsRefusedWithExit4() {
        Run run = cli("abort");
        assertEquals(ExitCode.API_ERROR, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("DELETE /cutover answered 409"), run.err());
    }

    @Test
    @Order(12)
    void rollbackFollowsTheSwitchBackAndPrintsTheWriteBlockedWindowAndTheNewPrimarysWritesReachTheSource() throws Exception {
        try (Connection target = TargetEngine.MARIADB.connect(CliTestResource.DATABASE)) {
            Sql.exec(target, "INSERT INTO accounts (owner, balance) VALUES ('written on the new primary', 11)");
        }
        Run run = cli("rollback", "--timeout", "240");
        assertEquals(ExitCode.OK, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("Rollback ROLLED_BACK: writes were blocked for "), run.out());
        try (Connection source = TestServers.get().postgres.connect(CliTestResource.DATABASE)) {
            assertEquals(List.of(List.of("11")), Sql.rows(source,
                    "SELECT balance::int FROM accounts WHERE owner = 'written on the new primary'"));
        }
    }

    @Test
    @Order(13)
    void aCutoverAfterTheRollbackSwitchesAgain() {
        Run run = cli("cutover", "--fence", "READ_ONLY", "--roles", "app_writer", "--timeout", "240");
        assertEquals(ExitCode.OK, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("Cutover COMPLETED: writes were blocked for "), run.out());
    }

    @Test
    @Order(14)
    void completeEndsTheMigrationAfterTheCutover() {
        Run run = cli("complete");
        assertEquals(ExitCode.OK, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("POST /complete answered 200: FINISHED"), run.out());
        Run again = cli("rollback");
        assertEquals(ExitCode.API_ERROR, again.exit(), again.out() + again.err());
        assertTrue(again.err().contains("only a COMPLETED cutover can be rolled back"), again.err());
    }
}
