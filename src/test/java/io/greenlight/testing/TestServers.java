package io.greenlight.testing;

import io.greenlight.kafka.EmbeddedKafkaBroker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The real servers every integration test shares: PostgreSQL, MariaDB and a KRaft Kafka
 * broker, started once per test JVM (in parallel) and stopped when it exits.
 */
public final class TestServers {

    private static TestServers instance;

    public final PostgresServer postgres;
    public final MariaDbServer mariadb;
    public final String kafkaBootstrap;
    private final EmbeddedKafkaBroker kafka;
    /** A second PostgreSQL, the target of PostgreSQL-to-PostgreSQL tests: started on first use. */
    private PostgresServer targetPostgres;

    private TestServers(PostgresServer postgres, MariaDbServer mariadb, EmbeddedKafkaBroker kafka, String bootstrap) {
        this.postgres = postgres;
        this.mariadb = mariadb;
        this.kafka = kafka;
        this.kafkaBootstrap = bootstrap;
    }

    /**
     * The greenlight.* settings that point an in-JVM Greenlight at these servers, for source and
     * target databases named {@code database}, with its own topic prefix, slot and publication.
     */
    public Map<String, String> greenlightConfig(String database) throws IOException {
        Map<String, String> config = new HashMap<>();
        config.put("greenlight.source.url", postgres.jdbcUrl(database));
        config.put("greenlight.source.username", "postgres");
        config.put("greenlight.target.url", mariadb.jdbcUrl(database));
        config.put("greenlight.target.username", "root");
        config.put("greenlight.kafka.bootstrap-servers", kafkaBootstrap);
        config.put("greenlight.kafka.topic-prefix", database);
        config.put("greenlight.source.slot", "greenlight_" + database);
        config.put("greenlight.source.publication", "greenlight_" + database);
        config.put("greenlight.data-dir", Files.createTempDirectory("greenlight-data-").toString());
        config.put("greenlight.apply.batch-max-wait", "50MS");
        return config;
    }

    /** The same settings as environment variables, for the packaged service, with its embedded broker. */
    public Map<String, String> serviceEnv(String database) throws IOException {
        Map<String, String> env = new HashMap<>();
        greenlightConfig(database).forEach((key, value) -> {
            if (!key.equals("greenlight.kafka.bootstrap-servers")) {
                env.put(key.toUpperCase().replace('.', '_').replace('-', '_'), value);
            }
        });
        return env;
    }

    /** The PostgreSQL target cluster (not the source), started the first time a test asks for it. */
    public synchronized PostgresServer targetPostgres() {
        if (targetPostgres == null) {
            targetPostgres = unchecked(PostgresServer::startDurable);
        }
        return targetPostgres;
    }

    /** Stops the shared Kafka broker (clients keep their address); {@link #startKafka()} brings it back. */
    public void stopKafka() {
        kafka.close();
    }

    /** Starts the shared Kafka broker again on the same port and log directory. */
    public void startKafka() {
        kafka.start();
    }

    public static synchronized TestServers get() {
        if (instance == null) {
            try {
                CompletableFuture<PostgresServer> pg = CompletableFuture.supplyAsync(() -> unchecked(PostgresServer::start));
                CompletableFuture<MariaDbServer> maria = CompletableFuture.supplyAsync(() -> unchecked(MariaDbServer::start));
                Path kafkaDir = Files.createTempDirectory("greenlight-kafka-");
                EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(kafkaDir, 0);
                String bootstrap = broker.start();
                instance = new TestServers(pg.join(), maria.join(), broker, bootstrap);
                Runtime.getRuntime().addShutdownHook(new Thread(instance::shutdown, "test-servers-shutdown"));
            } catch (Exception e) {
                throw new IllegalStateException("Starting the test servers failed: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    /** Databases first: they are separate processes that outlive this JVM if the hook is cut short. */
    private void shutdown() {
        PostgresServer target;
        synchronized (this) {
            target = targetPostgres;
        }
        for (AutoCloseable server : new AutoCloseable[]{postgres, target, mariadb, kafka}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception e) {
                System.err.println("Stopping a test server failed: " + e);
            }
        }
    }

    private interface Start<T> {
        T start() throws Exception;
    }

    private static <T> T unchecked(Start<T> start) {
        try {
            return start.start();
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
