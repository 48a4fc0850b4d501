package io.greenlight.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.capture.DdlCapture;
import io.greenlight.testing.ChildWorker;
import io.greenlight.testing.ConnectorFiles;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin `mvn -Pconnect-plugin package` builds, as a Connect cluster loads it: a worker in its
 * own JVM whose classpath holds Kafka's jars alone and whose plugin.path is the built directory,
 * so the Debezium source, Greenlight's converter and DDL transform, the sink and the JDBC drivers
 * all load from the plugin's jars in Connect's isolated class loader. A jar missing from the
 * plugin fails a connector or task here. Runs with {@code mvn -Pconnect-plugin verify}.
 */
class ConnectPluginIT {

    private static final TestServers SERVERS = TestServers.get();
    private static final String DB = "connect_plugin";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theBuiltPluginRunsCaptureTheDdlTransformAndApplyInAWorkerWithKafkasJarsAlone() throws Exception {
        String dir = System.getProperty("greenlight.connect.plugin.path");
        assertTrue(dir != null && Files.isDirectory(Path.of(dir, "greenlight")),
                "the plugin directory greenlight/ under " + dir + " is missing: run mvn -Pconnect-plugin verify");
        SERVERS.postgres.createDatabase(DB);
        SERVERS.mariadb.createDatabase(DB);
        try (Connection source = SERVERS.postgres.connect(DB)) {
            Sql.exec(source, DdlCapture.installScript());
            Sql.exec(source, "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), added timestamptz)",
                    "INSERT INTO items SELECT g, 'item ' || g, g * 1.5, now() FROM generate_series(1, 100) g",
                    "CREATE PUBLICATION " + DB + " FOR TABLE items");
        }
        List<String> tables = List.of("public.items");
        Map<String, String> sourceConfig = ConnectorFiles.source(SERVERS, DB, DB, DB, DB, tables);
        sourceConfig.remove("heartbeat.action.query"); // no heartbeat table on this source
        Path sourceFile = connectorFile(DB + "-source", sourceConfig);
        Path sinkFile = connectorFile(DB + "-sink", ConnectorFiles.sink(SERVERS, DB, DB, tables, 1));
        try (ChildWorker worker = ChildWorker.bare("plugin-worker", "connect-plugin-it", SERVERS.kafkaBootstrap, Path.of(dir),
                List.of(sourceFile, sinkFile))) {
            awaitSame(worker, "SELECT id, name, price FROM items ORDER BY id");
            try (Connection source = SERVERS.postgres.connect(DB)) {
                Sql.exec(source, "INSERT INTO items VALUES (101, 'before the rename', 1, now())",
                        "ALTER TABLE items RENAME COLUMN name TO title",
                        "INSERT INTO items VALUES (102, 'after the rename', 2, now())");
            }
            awaitSame(worker, "SELECT id, title, price FROM items ORDER BY id");
        } finally {
            Awaitility.await("slot released").atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
                try (Connection c = SERVERS.postgres.connect(DB)) {
                    Sql.exec(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + DB + "'");
                    return true;
                }
            });
        }
    }

    private static Path connectorFile(String name, Map<String, String> config) throws Exception {
        Path file = Files.createTempFile(name, ".json");
        JSON.writeValue(file.toFile(), Map.of("name", name, "config", config));
        return file;
    }

    /** Waits until the target returns the source's rows; a failed task or a dead worker fails at once, with its log. */
    private static void awaitSame(ChildWorker worker, String query) {
        Awaitility.await("the target equals the source: " + query).atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                .failFast(() -> {
                    String log = worker.log();
                    assertTrue(worker.isAlive() && !log.contains("=FAILED") && !log.contains(" FAILED"),
                            "the worker died or a connector failed:\n" + log.substring(Math.max(0, log.length() - 20000)));
                })
                .untilAsserted(() -> {
                    try (Connection s = SERVERS.postgres.connect(DB); Connection t = SERVERS.mariadb.connect(DB)) {
                        Sql.assertSameRows(Sql.rows(s, query), Sql.rows(t, query));
                    } catch (SQLException e) {
                        throw new AssertionError(e);
                    }
                });
    }
}
