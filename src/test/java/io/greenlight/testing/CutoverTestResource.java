package io.greenlight.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.sql.Connection;
import java.util.Map;

/**
 * A source database whose application writes as role {@code app_writer} (what the cutover
 * fences), a fresh target, the shared Kafka broker and an API token.
 */
public class CutoverTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String DATABASE = "bank";
    public static final String TOKEN = "test-token-0123456789";

    @Override
    public Map<String, String> start() {
        TestServers servers = TestServers.get();
        try {
            servers.postgres.createDatabase(DATABASE);
            servers.mariadb.createDatabase(DATABASE);
            try (Connection c = servers.postgres.connect(DATABASE)) {
                Sql.exec(c, "CREATE ROLE app_writer LOGIN",
                        "CREATE TABLE accounts (id serial PRIMARY KEY, owner text NOT NULL, balance numeric(14,2) NOT NULL)",
                        "CREATE TABLE transfers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account int NOT NULL,"
                                + " amount numeric(14,2) NOT NULL, at timestamptz NOT NULL DEFAULT now())",
                        "INSERT INTO accounts (owner, balance) SELECT 'owner ' || g, 100 FROM generate_series(1, 200) g",
                        "GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, transfers TO app_writer",
                        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_writer");
            }
            return Map.of(
                    "greenlight.source.url", servers.postgres.jdbcUrl(DATABASE),
                    "greenlight.source.username", "postgres",
                    "greenlight.target.url", servers.mariadb.jdbcUrl(DATABASE),
                    "greenlight.target.username", "root",
                    "greenlight.kafka.bootstrap-servers", servers.kafkaBootstrap,
                    "greenlight.kafka.topic-prefix", "bank",
                    "greenlight.source.slot", "greenlight_bank",
                    "greenlight.source.publication", "greenlight_bank",
                    "greenlight.data-dir", Files.createTempDirectory("greenlight-data-").toString(),
                    "greenlight.api.token", TOKEN);
        } catch (Exception e) {
            throw new IllegalStateException("Preparing the cutover databases failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        // shared servers stop with the JVM
    }
}
