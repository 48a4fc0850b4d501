package io.greenlight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/**
 * A verification cut by a crash of the service (SIGKILL) answers after the restart as INTERRUPTED
 * with the table it had finished, and continued with {"resume": id} it ends with the same result as
 * an uninterrupted verification, mismatches found before the crash included.
 */
class VerifyRestartIT {

    private static final TestServers SERVERS = TestServers.get();
    private static final String TOKEN = "verify-restart-token-3e8a1c5f7b9d2e4a6c";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aVerificationInterruptedByACrashContinuesAfterTheRestartToTheResultOfAnUninterruptedOne() throws Exception {
        String db = "verify_restart";
        SERVERS.postgres.createDatabase(db);
        SERVERS.mariadb.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE items (id int PRIMARY KEY, name text, n int)",
                    "INSERT INTO items SELECT g, 'item ' || g, g % 13 FROM generate_series(1, 2000) g",
                    "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                    "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 50) g");
        }
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_API_TOKEN", TOKEN);
        Path log = Files.createTempFile("greenlight-" + db, ".log");

        String id;
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            awaitStreaming(first);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                try (Connection t = SERVERS.mariadb.connect(db)) {
                    return Sql.count(t, "items") == 2000 && Sql.count(t, "notes") == 50;
                }
            });
            try (Connection t = SERVERS.mariadb.connect(db)) { // differences behind the pipeline's back
                Sql.exec(t, "UPDATE items SET name = 'tampered' WHERE id = 5", "DELETE FROM items WHERE id = 9");
            }
            try (Connection lock = SERVERS.postgres.connect(db)) {
                lock.setAutoCommit(false);
                Sql.exec(lock, "LOCK TABLE notes IN ACCESS EXCLUSIVE MODE"); // items finishes, notes waits
                HttpResponse<String> started = first.send("POST", "/verify", TOKEN, "{\"chunkSize\": 200}");
                assertEquals(202, started.statusCode(), started.body());
                id = JSON.readTree(started.body()).path("id").asText();
                String running = id;
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> "DONE".equals(tableState(first, running, "public.items")));
                first.kill();
                lock.rollback();
            }
        }
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            JsonNode interrupted = report(second, id);
            assertEquals("INTERRUPTED", interrupted.path("state").asText(), interrupted.toPrettyString());
            assertEquals(1, interrupted.path("result").path("tables").size(), interrupted.toPrettyString());
            JsonNode items = interrupted.path("result").path("tables").get(0);
            assertEquals("public.items", items.path("table").asText());
            assertEquals(2, items.path("mismatchedRows").asLong(), items.toPrettyString());
            assertEquals("public.notes", interrupted.path("result").path("notCompared").get(0).asText());
            assertTrue(interrupted.path("stopReason").asText().contains("{\"resume\": \"" + id + "\"}"), interrupted.toPrettyString());

            HttpResponse<String> resumed = second.send("POST", "/verify", TOKEN, "{\"resume\": \"" + id + "\"}");
            assertEquals(202, resumed.statusCode(), resumed.body());
            JsonNode continued = awaitDone(second, id);
            assertEquals("FAILED", continued.path("state").asText(), continued.toPrettyString());
            assertEquals(2, continued.path("attempts").asInt());

            HttpResponse<String> fresh = second.send("POST", "/verify", TOKEN, "{\"chunkSize\": 200}");
            assertEquals(202, fresh.statusCode(), fresh.body());
            JsonNode uninterrupted = awaitDone(second, JSON.readTree(fresh.body()).path("id").asText());
            assertEquals("FAILED", uninterrupted.path("state").asText(), uninterrupted.toPrettyString());
            assertEquals(uninterrupted.path("result"), continued.path("result"),
                    "resumed:\n" + continued.toPrettyString() + "\nuninterrupted:\n" + uninterrupted.toPrettyString());
            assertEquals(2, continued.path("result").path("mismatchedRows").asLong());
        }
    }

    private static String tableState(ServiceProcess service, String id, String table) throws Exception {
        for (JsonNode t : report(service, id).path("progress").path("tables")) {
            if (t.path("table").asText().equals(table)) {
                return t.path("state").asText();
            }
        }
        return null;
    }

    private static JsonNode report(ServiceProcess service, String id) throws Exception {
        return JSON.readTree(service.get("/verify/" + id));
    }

    private static JsonNode awaitDone(ServiceProcess service, String id) throws Exception {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> !report(service, id).path("state").asText().matches("PENDING|RUNNING"));
        return report(service, id);
    }

    private static void awaitStreaming(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }
}
