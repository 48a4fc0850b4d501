package io.greenlight.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives the in-JVM Greenlight a fresh source database (with pre-existing rows to snapshot), a
 * fresh target database and the shared test Kafka broker.
 */
public class GreenlightTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String DATABASE = "shop";
    /** Bearer token of the mutating endpoints (POST /verify, POST /cutover). */
    public static final String API_TOKEN = "test-token";

    @Override
    public Map<String, String> start() {
        TestServers servers = TestServers.get();
        try {
            servers.postgres.createDatabase(DATABASE);
            servers.mariadb.createDatabase(DATABASE);
            try (Connection c = servers.postgres.connect(DATABASE)) {
                Sql.exec(c,
                        "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email varchar(200),"
                                + " balance numeric(12,2), created timestamptz, active boolean)",
                        "INSERT INTO customers (name, email, balance, created, active)"
                                + " SELECT 'customer ' || g, 'c' || g || '@example.com', g * 1.25, "
                                + " timestamptz '2024-03-31 01:30:00+01' + g * interval '1 hour', g % 2 = 0"
                                + " FROM generate_series(1, 500) g",
                        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, status varchar(20),"
                                + " total numeric(10,2), placed_at timestamp)",
                        "CREATE TABLE audit_log (id int PRIMARY KEY, message text)",
                        "CREATE TABLE tags (name text, weight int)",
                        "ALTER TABLE tags REPLICA IDENTITY FULL");
            }
            Map<String, String> config = new HashMap<>(Map.of(
                    "greenlight.source.url", servers.postgres.jdbcUrl(DATABASE),
                    "greenlight.source.username", "postgres",
                    "greenlight.target.url", servers.mariadb.jdbcUrl(DATABASE),
                    "greenlight.target.username", "root",
                    "greenlight.kafka.bootstrap-servers", servers.kafkaBootstrap,
                    "greenlight.kafka.topic-prefix", "shop",
                    "greenlight.source.slot", "greenlight_shop",
                    "greenlight.source.publication", "greenlight_shop",
                    "greenlight.data-dir", Files.createTempDirectory("greenlight-data-").toString(),
                    "greenlight.apply.batch-max-wait", "50MS"));
            config.put("greenlight.api.token", API_TOKEN);
            // The shipped connector file (connectors/): the embedded engine runs with it in every test.
            config.put("greenlight.capture.connector-config",
                    Path.of("connectors/debezium-postgres.properties").toAbsolutePath().toString());
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("Preparing the test databases failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        // The servers are shared by the whole test run and stop when the JVM exits.
    }
}
