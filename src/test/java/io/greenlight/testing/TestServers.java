package io.greenlight.testing;

import io.greenlight.kafka.EmbeddedKafkaBroker;

import java.nio.file.Files;
import java.nio.file.Path;
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

    private TestServers(PostgresServer postgres, MariaDbServer mariadb, EmbeddedKafkaBroker kafka, String bootstrap) {
        this.postgres = postgres;
        this.mariadb = mariadb;
        this.kafka = kafka;
        this.kafkaBootstrap = bootstrap;
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

    private void shutdown() {
        for (AutoCloseable server : new AutoCloseable[]{kafka, mariadb, postgres}) {
            try {
                server.close();
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
