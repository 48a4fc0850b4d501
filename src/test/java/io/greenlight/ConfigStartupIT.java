package io.greenlight;

import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service refuses to start on bad config, naming the key; secrets stay out of the
 * log. A pipeline that cannot come up says so, instead of idling with zero events.
 */
class ConfigStartupIT {

    @Test
    void missingSourceUrlStopsStartupAndNamesTheKey() throws Exception {
        Path log = Files.createTempFile("greenlight-config", ".log");
        try (ServiceProcess service = ServiceProcess.start(Map.of(
                "GREENLIGHT_SOURCE_USERNAME", "replicator",
                "GREENLIGHT_TARGET_URL", "jdbc:mysql://127.0.0.1:1/shop",
                "GREENLIGHT_TARGET_USERNAME", "writer",
                "GREENLIGHT_TARGET_PASSWORD", "very-secret-password"), log)) {
            assertNotEquals(0, service.waitForExit(Duration.ofSeconds(60)));
            String output = service.log();
            assertTrue(output.contains("greenlight.source.url is not set. Set it (or GREENLIGHT_SOURCE_URL)"), output);
            assertFalse(output.contains("very-secret-password"), output);
        }
    }

    @Test
    void aPlaceholderApiTokenStopsTheStartNamingTheKeyAndHowToGenerateOne() throws Exception {
        Path log = Files.createTempFile("greenlight-token", ".log");
        try (ServiceProcess service = ServiceProcess.start(Map.of(
                "GREENLIGHT_SOURCE_URL", "jdbc:postgresql://127.0.0.1:1/shop",
                "GREENLIGHT_SOURCE_USERNAME", "replicator",
                "GREENLIGHT_TARGET_URL", "jdbc:mysql://127.0.0.1:1/shop",
                "GREENLIGHT_TARGET_USERNAME", "writer",
                "GREENLIGHT_API_TOKEN", "change-me"), log)) {
            assertNotEquals(0, service.waitForExit(Duration.ofSeconds(60)));
            String output = service.log();
            assertTrue(output.contains("greenlight.api.token (GREENLIGHT_API_TOKEN) is a placeholder"), output);
            assertTrue(output.contains("Generate one with: openssl rand -hex 32"), output);
        }
    }

    @Test
    void withJsonLogsOnEveryLineOfTheLogIsOneJsonObject() throws Exception {
        Path log = Files.createTempFile("greenlight-json", ".log");
        try (ServiceProcess service = ServiceProcess.start(Map.of(
                "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true",
                "GREENLIGHT_SOURCE_USERNAME", "replicator",
                "GREENLIGHT_TARGET_URL", "jdbc:mysql://127.0.0.1:1/shop",
                "GREENLIGHT_TARGET_USERNAME", "writer"), log)) {
            assertNotEquals(0, service.waitForExit(Duration.ofSeconds(60)));
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            java.util.List<String> lines = service.log().lines().filter(l -> !l.isBlank()).toList();
            assertFalse(lines.isEmpty());
            boolean named = false;
            for (String line : lines) {
                com.fasterxml.jackson.databind.JsonNode record = json.readTree(line);
                assertTrue(record.has("level") && record.has("message"), line);
                // the refusal is the record's message or its exception's (causedBy) message
                named |= record.toString().contains("greenlight.source.url is not set");
            }
            assertTrue(named, "the config error is in a JSON record: " + lines);
        }
    }

    @Test
    void unreachableDatabasesLeaveTheServiceUpButFailedDownForLivenessAndLagGrowing() throws Exception {
        Path log = Files.createTempFile("greenlight-unreachable", ".log");
        try (ServiceProcess service = ServiceProcess.start(Map.of(
                "GREENLIGHT_SOURCE_URL", "jdbc:postgresql://127.0.0.1:1/shop",
                "GREENLIGHT_SOURCE_USERNAME", "replicator",
                "GREENLIGHT_TARGET_URL", "jdbc:mysql://127.0.0.1:1/shop",
                "GREENLIGHT_TARGET_USERNAME", "writer",
                "GREENLIGHT_DATA_DIR", Files.createTempDirectory("greenlight-unreachable").toString()), log)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(service.phase()));
            String status = service.get("/status");
            assertTrue(status.contains("\"component\":\"startup\""), status);
            assertEquals(503, service.send("GET", "/q/health/live", null, null).statusCode());
            double first = lag(service);
            Thread.sleep(1500);
            assertTrue(lag(service) > first + 1, "lag keeps growing while nothing is replicated");
        }
    }

    @Test
    void aDataDirTheEmbeddedBrokerCannotUseFailsTheStartBeforeAnySlotIsCreated() throws Exception {
        Class.forName("org.postgresql.Driver"); // plain JUnit: no Quarkus to register it
        TestServers servers = TestServers.get();
        String db = "broker_unusable";
        servers.postgres.createDatabase(db);
        servers.mariadb.createDatabase(db);
        try (Connection c = servers.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE items (id int PRIMARY KEY, note text)", "INSERT INTO items VALUES (1, 'one')");
        }
        Path dataDir = Files.createTempDirectory("greenlight-broker-unusable");
        Files.writeString(dataDir.resolve("kafka"), "a file where the broker's log directory belongs");
        Map<String, String> env = servers.serviceEnv(db);
        env.put("GREENLIGHT_DATA_DIR", dataDir.toString());
        Path log = Files.createTempFile("greenlight-broker-unusable", ".log");
        try (ServiceProcess service = ServiceProcess.start(env, log)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(service.phase()));
            String status = service.get("/status");
            assertTrue(status.contains("Cannot start the embedded Kafka broker in " + dataDir.resolve("kafka")
                    + ": a file of that name is in the way. Check that greenlight.data-dir is a writable directory."), status);
        }
        try (Connection c = servers.postgres.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'greenlight_" + db + "'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no slot is left behind by a start that could not begin");
        }
    }

    private static double lag(ServiceProcess service) throws Exception {
        String status = service.get("/status");
        return Double.parseDouble(status.replaceAll("(?s).*\"endToEndSeconds\":([0-9.]+).*", "$1"));
    }
}
