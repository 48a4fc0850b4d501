package io.greenlight;

import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

        try (ServiceProcess unsecured = ServiceProcess.start(env, log)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !"UNREACHABLE".equals(unsecured.phase()));
            HttpResponse<String> refused = unsecured.send("POST", "/cutover", null, "{}");
            assertEquals(403, refused.statusCode());
            assertTrue(refused.body().contains("greenlight.api.token is not set"), refused.body());
            unsecured.stop();
        }

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

    private static void awaitStreaming(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }
}
