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

/** Reverse replication across a crash of the service (the packaged jar, SIGKILL). */
class ReverseRestartIT {

    private static final TestServers SERVERS = TestServers.get();
    private static final String TOKEN = "reverse-restart-token-3b8e1f0c6d2a9e7f4c5b";

    /**
     * After a restart, forward apply reads again every change captured from the old source since
     * the switch (none is committed while the target is the primary). Those reverse replication
     * wrote there are the new primary's own and stay unreported; a real late write still is.
     */
    @Test
    void changesReverseReplicationWroteAreNotReportedAsLateWritesAfterARestart() throws Exception {
        String db = "reverse_restart";
        SERVERS.postgres.createDatabase(db);
        SERVERS.mariadb.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE items (id serial PRIMARY KEY, name text)", "INSERT INTO items (name) VALUES ('a'), ('b')");
        }
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_API_TOKEN", TOKEN);
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            awaitStreaming(first);
            HttpResponse<String> armed = first.send("POST", "/cutover", TOKEN, "{\"maxLagSeconds\": 3600, \"stableSeconds\": 1}");
            assertEquals(202, armed.statusCode(), armed.body());
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> first.get("/cutover").contains("\"state\":\"COMPLETED\""));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> first.get("/status").contains("\"running\":true,\"from\""));
            try (Connection t = SERVERS.mariadb.connect(db)) {
                Sql.exec(t, "INSERT INTO items (id, name) VALUES (10, 'on the new primary'), (11, 'also')",
                        "UPDATE items SET name = 'changed on the new primary' WHERE id = 1");
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                try (Connection s = SERVERS.postgres.connect(db)) {
                    return Sql.count(s, "items") == 4 && Sql.rows(s, "SELECT name FROM items WHERE id = 1").get(0).get(0)
                            .equals("changed on the new primary");
                }
            });
            first.kill();
        }
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            try (Connection s = SERVERS.postgres.connect(db)) { // a superuser passes the READ_ONLY fence: a real late write
                s.setAutoCommit(false);
                Sql.exec(s, "SET TRANSACTION READ WRITE", "UPDATE items SET name = 'late' WHERE id = 11");
                s.commit();
            }
            // The late write is on the key reverse replication wrote last: once it is reported, every earlier change was read.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> second.get("/status").contains("{id=11}"));
            String status = second.get("/status");
            String unapplied = status.replaceAll("(?s).*\"unapplied\":(\\[[^\\]]*\\]).*", "$1");
            assertTrue(unapplied.contains("\"changes\":1,"), "only the late write is reported: " + unapplied);
            assertTrue(!unapplied.contains("{id=10}") && !unapplied.contains("{id=1}"), "reverse replication's writes are not: " + unapplied);
        }
    }

    private static void awaitStreaming(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }
}
