package io.greenlight;

import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With an explicit greenlight.source.tables, a table renamed on the source stops (capture's table
 * filter drops its changes under the new name), and the remedy its message advises works exactly as
 * written: name the new table in the list instead of the old one, restart, then drop the target's
 * copy under the old name. The packaged service, as an operator runs it.
 */
class RenamedListedTableIT {

    private static final TestServers SERVERS = TestServers.get();

    @BeforeAll
    static void javaDriversForPlainJUnit() throws Exception {
        Class.forName("org.postgresql.Driver");
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aListedTableRenamedOnTheSourceStopsAndTheAdvisedListChangeAndRestartCopiesItUnderItsNewName(TargetEngine engine)
            throws Exception {
        String db = "renamed_listed" + (engine == TargetEngine.POSTGRES ? "_pg" : "");
        SERVERS.postgres.createDatabase(db);
        engine.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE orders (id int PRIMARY KEY, note text)",
                    "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 20) g",
                    "CREATE TABLE customers (id int PRIMARY KEY, name text)",
                    "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 5) g",
                    "CREATE TABLE unlisted (id int PRIMARY KEY)");
        }
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        Map<String, String> env = SERVERS.serviceEnv(db);
        env.put("GREENLIGHT_TARGET_URL", engine.jdbcUrl(db));
        env.put("GREENLIGHT_TARGET_USERNAME", engine.username());
        env.put("GREENLIGHT_API_TOKEN", PoisonTestResource.API_TOKEN);
        env.put("GREENLIGHT_SOURCE_TABLES", "public.orders,public.customers");
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            awaitStreaming(first);
            awaitSame(db, engine, "SELECT id, note FROM orders ORDER BY id", "SELECT id, note FROM orders ORDER BY id");
            try (Connection source = SERVERS.postgres.connect(db)) {
                Sql.exec(source, "ALTER TABLE orders RENAME TO purchases",
                        "INSERT INTO purchases VALUES (21, 'after the rename')",
                        "UPDATE purchases SET note = 'changed after the rename' WHERE id = 1",
                        "DELETE FROM purchases WHERE id = 2",
                        "INSERT INTO customers VALUES (6, 'goes on')");
            }
            String advice = "Set greenlight.source.tables to name public.purchases instead of public.orders and restart "
                    + "Greenlight";
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .failFast("Greenlight exited", () -> !first.isAlive())
                    .until(() -> first.get("/status").contains(advice));
            awaitSame(db, engine, "SELECT id, name FROM customers ORDER BY id", "SELECT id, name FROM customers ORDER BY id");
            first.stop();
        }
        // A restart that leaves the list as it is refuses to start, naming the likely new name
        try (ServiceProcess unchanged = ServiceProcess.start(env, log)) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> unchanged.log().contains("Table public.orders does not exist on the source"));
            assertTrue(!"STREAMING".equals(unchanged.phase()), "it does not start");
            String said = unchanged.log();
            assertTrue(said.contains("Table public.orders does not exist on the source (listed in greenlight.source.tables). "
                    + "If it was renamed (publication greenlight_" + db + " holds public.purchases, which the list does not "
                    + "name), name the new table in greenlight.source.tables instead and restart"), said);
            unchanged.stop();
        }
        // The message's steps: the new name in the list instead of the old one, restart ...
        env.put("GREENLIGHT_SOURCE_TABLES", "public.purchases,public.customers");
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            awaitSame(db, engine, "SELECT id, note FROM purchases ORDER BY id", "SELECT id, note FROM purchases ORDER BY id");
            // ... then drop the target's copy under the old name
            try (Connection target = engine.connect(db)) {
                Sql.exec(target, "DROP TABLE orders");
            }
            try (Connection source = SERVERS.postgres.connect(db)) {
                Sql.exec(source, "INSERT INTO purchases VALUES (22, 'streamed after the restart')",
                        "UPDATE purchases SET note = 'streamed update' WHERE id = 3",
                        "INSERT INTO customers VALUES (7, 'still streamed')");
            }
            awaitSame(db, engine, "SELECT id, note FROM purchases ORDER BY id", "SELECT id, note FROM purchases ORDER BY id");
            awaitSame(db, engine, "SELECT id, name FROM customers ORDER BY id", "SELECT id, name FROM customers ORDER BY id");
            String status = second.get("/status");
            assertFalse(status.contains("PAUSED"), status);
            assertFalse(status.contains("public.orders"), status);
            assertTrue(status.contains("public.purchases"), status);
            try (Connection target = engine.connect(db)) {
                assertEquals(List.of(List.of("21")), Sql.rows(target, "SELECT count(*) FROM purchases"));
            }
        }
    }

    private static void awaitStreaming(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }

    private static void awaitSame(String db, TargetEngine engine, String sourceQuery, String targetQuery) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            try (Connection source = SERVERS.postgres.connect(db); Connection target = engine.connect(db)) {
                Sql.assertSameRows(Sql.rows(source, sourceQuery), Sql.rows(target, targetQuery));
            }
        });
    }
}
