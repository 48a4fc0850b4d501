package io.greenlight.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.capture.DdlCapture;
import io.greenlight.testing.ChildWorker;
import io.greenlight.testing.ConnectWorker;
import io.greenlight.testing.ConnectorFiles;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import io.greenlight.testing.WriteLoad;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greenlight's apply as a Kafka Connect sink, on a Connect cluster of two workers in distributed
 * mode (in this JVM) against the test PostgreSQL, Kafka and a target: capture is the Debezium
 * PostgreSQL source connector of connectors/kafka-connect/postgres-source.json in the same cluster,
 * apply the Greenlight sink of connectors/kafka-connect/greenlight-sink.json. One cluster per class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ConnectSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CONNECTORS = Path.of("connectors", "kafka-connect");

    private static final List<ConnectWorker> workers = new ArrayList<>();
    private static TestServers servers;

    abstract TargetEngine engine();

    private static String group;

    @BeforeAll
    static void startCluster(org.junit.jupiter.api.TestInfo info) {
        servers = TestServers.get();
        group = "connect-" + info.getTestClass().orElseThrow().getSimpleName().toLowerCase();
        workers.add(ConnectWorker.start("worker-a", group, servers.kafkaBootstrap));
    }

    @AfterAll
    static void stopCluster() {
        workers.forEach(ConnectWorker::close);
        workers.clear();
    }

    @Test
    @Order(1)
    void snapshotAndStreamedChangesArriveEqualOnTheTarget() throws Exception {
        String db = database("stream");
        try (Connection source = prepareSource(db)) {
            Sql.exec(source,
                    "CREATE TABLE items (id int PRIMARY KEY, sku text NOT NULL UNIQUE, price numeric(12,2), body text, "
                            + "added timestamptz, tags jsonb)",
                    "ALTER TABLE items ALTER COLUMN body SET STORAGE EXTERNAL", // out of line, uncompressed: TOASTed
                    "INSERT INTO items SELECT g, 'sku-' || g, g * 1.25, repeat(md5(g::text), 100), "
                            + "'2024-01-01 00:00:00+00'::timestamptz + g * interval '1 minute', jsonb_build_object('g', g) "
                            + "FROM generate_series(1, 300) g",
                    "ALTER PUBLICATION " + db + " ADD TABLE items");
            start(db, List.of("accounts", "ledger", "items"), 2);
            try (WriteLoad load = WriteLoad.start(servers.postgres, db)) {
                awaitCommitted(load, 300);
                // Updates leaving the TOASTed body out of the WAL, keys moved, deletes: all while streaming.
                // (A key moved leaves an unchanged TOASTed value out of its new row's image: the sink moves the target's
                // row with it; ids 101-110 carry a short body, ids 111-120 keep their TOASTed one.)
                Sql.exec(source, "UPDATE items SET price = price + 1 WHERE id <= 100",
                        "UPDATE items SET body = 'short ' || id WHERE id BETWEEN 101 AND 110",
                        "UPDATE items SET id = id + 1000 WHERE id BETWEEN 101 AND 110",
                        "UPDATE items SET id = id + 2000, price = price + 2 WHERE id BETWEEN 111 AND 120",
                        "DELETE FROM items WHERE id BETWEEN 200 AND 210");
                awaitCommitted(load, load.committed() + 100);
            }
            awaitConverged(db, List.of(
                    "SELECT id, balance, note FROM accounts ORDER BY id",
                    "SELECT tx, account, amount, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                    "SELECT id, sku, price, md5(body) FROM items ORDER BY id"));
        } finally {
            stop(db);
        }
    }

    @Test
    @Order(2)
    void aChangeTheTargetCannotTakePausesItsTableInTheTaskWhileTheOtherTablesGoOn() throws Exception {
        String db = database("poison");
        try (Connection source = prepareSource(db)) {
            Sql.exec(source, "CREATE TABLE tags (id int PRIMARY KEY, name text NOT NULL)",
                    "ALTER PUBLICATION " + db + " ADD TABLE tags");
            start(db, List.of("accounts", "tags"), 1);
            Awaitility.await("the snapshot of accounts applied").atMost(Duration.ofMinutes(3)).ignoreExceptions()
                    .until(() -> {
                        try (Connection t = engine().connect(db)) {
                            return Sql.count(t, "accounts") == 1000;
                        }
                    });
            try (Connection t = engine().connect(db)) {
                // A unique key the source does not have: the second tag cannot be written.
                Sql.exec(t, engine() == TargetEngine.POSTGRES ? "CREATE UNIQUE INDEX tags_name ON tags (name)"
                        : "CREATE UNIQUE INDEX tags_name ON tags (name(100))");
            }
            Sql.exec(source, "INSERT INTO tags VALUES (1, 'red')", "INSERT INTO tags VALUES (2, 'red')",
                    "INSERT INTO tags VALUES (3, 'blue')", "UPDATE accounts SET note = 'after the poison' WHERE id = 7");
            Awaitility.await("accounts goes on").atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() -> {
                try (Connection t = engine().connect(db)) {
                    return "after the poison".equals(Sql.rows(t, "SELECT note FROM accounts WHERE id = 7").get(0).get(0));
                }
            });
            try (Connection t = engine().connect(db)) {
                assertEquals(List.of(List.of("1", "red")), Sql.rows(t, "SELECT id, name FROM tags ORDER BY id"),
                        "tags stops before the change at fault: nothing after it is applied, nothing skipped");
            }
            assertEquals(1, sinkTaskWorkers(db).size(), "the task runs on");
        } finally {
            stop(db);
        }
    }

    @Test
    @Order(3)
    void aWorkerStoppedUnderLoadHandsItsTasksOverAndTheLedgerIsExact() throws Exception {
        String db = database("rebalance");
        try (Connection ignored = prepareSource(db)) {
            start(db, List.of("accounts", "ledger"), 2);
            Awaitility.await("both workers run connectors or tasks").atMost(Duration.ofMinutes(2))
                    .until(() -> clusterWorkers(db).size() == 2 && runningSinkTasks(db) == 2);
            // The worker of the sink's task 0 goes (the assignor decides which one that is; it may lead the group).
            String victimId = leader().status(db + "-sink").tasks().get(0).workerId();
            ConnectWorker victim = workers.stream().filter(w -> w.id().equals(victimId)).findFirst().orElseThrow();
            try (WriteLoad load = WriteLoad.start(servers.postgres, db)) {
                awaitCommitted(load, 400);
                awaitApplied(db, 100); // the victim's task has written before it goes
                victim.close();
                workers.remove(victim);
                long stoppedAt = load.committed();
                Awaitility.await("the stopped worker's tasks run on the one left").atMost(Duration.ofMinutes(3))
                        .until(() -> sinkTaskWorkers(db).equals(Set.of(workers.get(0).id())));
                awaitCommitted(load, stoppedAt + 400);
            }
            awaitConverged(db, List.of(
                    "SELECT id, balance, note FROM accounts ORDER BY id",
                    "SELECT tx, account, amount, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
            assertLedgerExact(db, victimId + " stopped");
        } finally {
            stop(db);
        }
    }

    private void assertLedgerExact(String db, String what) throws SQLException {
        try (Connection s = servers.postgres.connect(db); Connection t = engine().connect(db)) {
            long sourceRows = Sql.count(s, "ledger");
            long targetRows = Sql.count(t, "ledger");
            long distinct = Long.parseLong(Sql.rows(t, "SELECT count(DISTINCT tx) FROM ledger").get(0).get(0));
            System.out.printf("Connect rebalance ledger (%s, %s): source %d rows, target %d rows, %d distinct "
                    + "tx: %d lost, %d doubled%n", engine(), what, sourceRows, targetRows, distinct,
                    sourceRows - distinct, targetRows - distinct);
            assertEquals(sourceRows, targetRows, "no ledger row lost or doubled");
            assertEquals(targetRows, distinct, "no ledger row doubled");
        }
    }

    /**
     * A worker in its own JVM killed with SIGKILL under load (no leave-group, no task shutdown, no
     * offset flush): the group notices after the session timeout, its tasks start on the worker
     * left, resume from the target's record, and the ledger is exact.
     */
    @Test
    @Order(5)
    void aWorkerKilledUnderLoadLosesItsTasksToTheOtherAndTheLedgerIsExact() throws Exception {
        String db = database("kill");
        try (Connection ignored = prepareSource(db)) {
            createConnectors(db, List.of("accounts", "ledger"), 2);
            try (ChildWorker child = ChildWorker.start("worker-k", group, servers.kafkaBootstrap, List.of())) {
                // The assignor decides what worker-k runs: a sink task, or the source's (then capture is what dies).
                Awaitility.await("worker-k runs a task").atMost(Duration.ofMinutes(3)).ignoreExceptions()
                        .failFast("worker-k exited", () -> !child.isAlive())
                        .until(() -> runningSinkTasks(db) == 2 && taskWorkers(db).contains("worker-k"));
                String killedTasks = taskWorkersByTask(db);
                try (WriteLoad load = WriteLoad.start(servers.postgres, db)) {
                    awaitCommitted(load, 400);
                    awaitApplied(db, 100);
                    child.kill();
                    long killedAt = load.committed();
                    long killed = System.nanoTime();
                    Awaitility.await("the killed worker's tasks run on the worker left").atMost(Duration.ofMinutes(3))
                            .until(() -> taskWorkers(db).equals(Set.of(leader().id())) && runningSinkTasks(db) == 2);
                    System.out.printf("Connect worker kill -9 (%s; before: %s): every task running on %s %.1f s after the kill%n",
                            engine(), killedTasks, leader().id(), (System.nanoTime() - killed) / 1e9);
                    awaitCommitted(load, killedAt + 400);
                }
            }
            awaitConverged(db, List.of(
                    "SELECT id, balance, note FROM accounts ORDER BY id",
                    "SELECT tx, account, amount, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
            assertLedgerExact(db, "worker-k killed");
        } finally {
            stop(db);
        }
    }

    /**
     * The source's DDL reaches the sink through Greenlight's transform on the source connector
     * (DdlMessageRouter routes the greenlight.ddl message into the table's topic), in order with the
     * table's changes: a renamed column keeps its values, as with Greenlight's own capture.
     */
    @Test
    @Order(4)
    void aColumnRenamedOnTheSourceIsRenamedOnTheTargetWithItsValues() throws Exception {
        String db = database("ddl");
        try (Connection source = prepareSource(db)) {
            Sql.exec(source, DdlCapture.installScript());
            Sql.exec(source, "CREATE TABLE notes (id int PRIMARY KEY, body text, n int)",
                    "INSERT INTO notes VALUES (1, 'first', 1), (2, 'second', 2)",
                    "ALTER PUBLICATION " + db + " ADD TABLE notes");
            // One worker: a source task moved by a rebalance before its snapshot completed snapshots again, after the
            // rename, and a snapshot carries no DDL (the rows come with the new column; the old one stays).
            createConnectors(db, List.of("accounts", "notes"), 1);
            awaitConverged(db, List.of("SELECT id, body, n FROM notes ORDER BY id"));
            Sql.exec(source, "INSERT INTO notes VALUES (3, 'just before', 3)",
                    "ALTER TABLE notes RENAME COLUMN body TO text_body",
                    "INSERT INTO notes VALUES (4, 'after', 4)",
                    "UPDATE notes SET n = 10 WHERE id = 1");
            awaitConverged(db, List.of("SELECT id, text_body, n FROM notes ORDER BY id"));
            try (Connection t = engine().connect(db)) {
                assertEquals(List.of(), Sql.rows(t, engine() == TargetEngine.POSTGRES
                        ? "SELECT column_name FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'body'"
                        : "SELECT column_name FROM information_schema.columns WHERE table_schema = '" + db
                                + "' AND table_name = 'notes' AND column_name = 'body'"), "the old column is gone, not kept beside the new one");
            }
        } finally {
            stop(db);
        }
    }

    private String database(String name) {
        return "cs_" + name + "_" + engine().name().toLowerCase();
    }

    /** The source database with WriteLoad's tables and a publication of them; the target database, empty. */
    private Connection prepareSource(String db) throws Exception {
        servers.postgres.createDatabase(db);
        engine().createDatabase(db);
        Connection source = servers.postgres.connect(db);
        Sql.exec(source, WriteLoad.SCHEMA);
        Sql.exec(source, "CREATE PUBLICATION " + db + " FOR TABLE accounts, ledger");
        return source;
    }

    /**
     * The source connector of connectors/kafka-connect, then the Greenlight sink, for these tables,
     * created on worker-a alone; worker-b joins once their task configs are written. (A connector
     * started on a follower would forward its task configs to the leader over REST, which these
     * in-JVM workers do not serve; a connector that moves later finds its task configs unchanged.)
     */
    private void start(String db, List<String> tables, int sinkTasks) throws Exception {
        createConnectors(db, tables, sinkTasks);
        workers.add(ConnectWorker.start("worker-b", group, servers.kafkaBootstrap));
    }

    /** The connectors of {@link #start}, on worker-a alone (the workers a test added before are stopped). */
    private void createConnectors(String db, List<String> tables, int sinkTasks) throws Exception {
        while (workers.size() > 1) {
            workers.remove(1).close();
        }
        Map<String, String> source = connectorConfig("postgres-source.json");
        source.put("database.hostname", "127.0.0.1");
        source.put("database.port", String.valueOf(servers.postgres.port()));
        source.put("database.dbname", db);
        source.put("database.user", "postgres");
        source.remove("database.password");
        source.put("topic.prefix", db);
        source.put("slot.name", db);
        source.put("publication.name", db);
        source.put("table.include.list", String.join(",", tables.stream().map(t -> "public\\." + t).toList()));
        source.remove("heartbeat.action.query"); // no greenlight schema on this source
        source.put("topic.creation.default.replication.factor", "1");
        ConnectorFiles.ddlRouter(source, servers.postgres.jdbcUrl(db), db, tables.stream().map(t -> "public." + t).toList());
        leader().putConnector(db + "-source", source);

        Map<String, String> sink = connectorConfig("greenlight-sink.json");
        sink.put("tasks.max", String.valueOf(sinkTasks));
        sink.put("topics", String.join(",", tables.stream().map(t -> db + ".public." + t).toList()));
        sink.put("tables", String.join(",", tables.stream().map(t -> "public." + t).toList()));
        sink.put("topic.prefix", db);
        sink.put("source.url", servers.postgres.jdbcUrl(db));
        sink.put("source.username", "postgres");
        sink.remove("source.password");
        sink.put("target.url", engine().jdbcUrl(db));
        sink.put("target.username", engine().username());
        sink.remove("target.password");
        sink.put("consumer.override.max.poll.records", "500");
        leader().putConnector(db + "-sink", sink);
        Awaitility.await("the connectors' task configs are written").atMost(Duration.ofMinutes(2)).ignoreExceptions()
                .until(() -> leader().status(db + "-source").tasks().size() == 1
                        && leader().status(db + "-sink").tasks().size() == sinkTasks);
    }

    private void stop(String db) throws Exception {
        for (String connector : List.of(db + "-sink", db + "-source")) {
            try {
                leader().deleteConnector(connector);
            } catch (Exception e) {
                System.out.println("Deleting " + connector + ": " + e.getMessage());
            }
        }
        Awaitility.await("slot " + db + " released").atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
            try (Connection c = servers.postgres.connect(db)) {
                Sql.exec(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + db + "'");
                return true;
            }
        });
    }

    /** The first worker left (worker-a until it is stopped): connectors are created through it while it is alone. */
    private static ConnectWorker leader() {
        return workers.get(0);
    }

    private Map<String, String> connectorConfig(String file) throws Exception {
        JsonNode config = JSON.readTree(CONNECTORS.resolve(file).toFile()).path("config");
        Map<String, String> map = new HashMap<>();
        config.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** The workers running any connector or task of this test. */
    private Set<String> clusterWorkers(String db) {
        Set<String> used = new TreeSet<>();
        for (String connector : List.of(db + "-source", db + "-sink")) {
            ConnectorStateInfo status = leader().status(connector);
            used.add(status.connector().workerId());
            status.tasks().forEach(t -> used.add(t.workerId()));
        }
        return used;
    }

    /** The workers running a task of the source or the sink (RUNNING); a FAILED task fails the test. */
    private Set<String> taskWorkers(String db) {
        Set<String> running = new TreeSet<>();
        for (String connector : List.of(db + "-source", db + "-sink")) {
            for (ConnectorStateInfo.TaskState task : leader().status(connector).tasks()) {
                assertTrue(!"FAILED".equals(task.state()), () -> connector + " task " + task.id() + " failed: " + task.trace());
                if ("RUNNING".equals(task.state())) {
                    running.add(task.workerId());
                }
            }
        }
        return running;
    }

    /** Which worker runs each task, for the log. */
    private String taskWorkersByTask(String db) {
        StringBuilder line = new StringBuilder();
        for (String connector : List.of(db + "-source", db + "-sink")) {
            for (ConnectorStateInfo.TaskState task : leader().status(connector).tasks()) {
                line.append(connector.substring(db.length() + 1)).append('-').append(task.id()).append('@').append(task.workerId()).append(' ');
            }
        }
        return line.toString().trim();
    }

    private int runningSinkTasks(String db) {
        return (int) leader().status(db + "-sink").tasks().stream().filter(t -> "RUNNING".equals(t.state())).count();
    }

    private Set<String> sinkTaskWorkers(String db) {
        ConnectorStateInfo status = leader().status(db + "-sink");
        Set<String> running = new TreeSet<>();
        for (ConnectorStateInfo.TaskState task : status.tasks()) {
            assertTrue(!"FAILED".equals(task.state()), () -> "sink task " + task.id() + " failed: " + task.trace());
            if ("RUNNING".equals(task.state())) {
                running.add(task.workerId());
            }
        }
        return running;
    }

    private static void awaitCommitted(WriteLoad load, long transactions) {
        Awaitility.await("the source committed " + transactions + " transactions").atMost(Duration.ofMinutes(3))
                .until(() -> load.committed() >= transactions);
    }

    private void awaitApplied(String db, long ledgerRows) {
        Awaitility.await(ledgerRows + " ledger rows on the target").atMost(Duration.ofMinutes(3)).ignoreExceptions()
                .until(() -> {
                    try (Connection t = engine().connect(db)) {
                        return Sql.count(t, "ledger") >= ledgerRows;
                    }
                });
    }

    /** Waits until each query returns the same rows on the target as on the source. */
    private void awaitConverged(String db, List<String> queries) {
        Awaitility.await("the target equals the source").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    try (Connection s = servers.postgres.connect(db); Connection t = engine().connect(db)) {
                        for (String query : queries) {
                            Sql.assertSameRows(Sql.rows(s, query), Sql.rows(t, query));
                        }
                    } catch (SQLException e) {
                        throw new AssertionError(e);
                    }
                });
    }
}
