package io.greenlight.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;

/**
 * A fresh source database (its tables made by the subclass), a fresh target database, the
 * shared test Kafka broker, and the greenlight.* settings pointing at them.
 */
public abstract class PipelineTestResource implements QuarkusTestResourceLifecycleManager {

    protected abstract String database();

    /** Creates the source schema and rows that exist before Greenlight starts. */
    protected abstract void createSource(Connection source) throws Exception;

    /** The engine Greenlight writes to: MariaDB unless a subclass picks PostgreSQL (or MySQL 8 in a container). */
    protected TargetDatabase target() {
        return TargetEngine.MARIADB;
    }

    /** Prepares the fresh target database before Greenlight starts (e.g. extensions a PostgreSQL target needs). */
    protected void createTarget(Connection target) throws Exception {
    }

    /** Adds settings beyond the common ones. */
    protected void configure(Map<String, String> config) throws Exception {
    }

    @Override
    public final Map<String, String> start() {
        TestServers servers = TestServers.get();
        try {
            servers.postgres.createDatabase(database());
            target().createDatabase(database());
            try (Connection c = target().connect(database())) {
                createTarget(c);
            }
            try (Connection c = servers.postgres.connect(database())) {
                createSource(c);
            }
            Map<String, String> config = new HashMap<>(servers.greenlightConfig(database()));
            target().configure(config, database());
            configure(config);
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("Preparing the test databases '" + database() + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        // The servers are shared by the whole test run and stop when the JVM exits.
    }
}
