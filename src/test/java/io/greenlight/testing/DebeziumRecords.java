package io.greenlight.testing;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.greenlight.capture.DebeziumProperties;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.kafka.TopicNames;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.greenlight.testing.TypesTestResource.STREAMED;

/**
 * Real Debezium SourceRecords, as Greenlight's connector settings ({@link DebeziumProperties}) make
 * them, captured once per test JVM from the shared PostgreSQL: the types suite's and the hostile
 * names' tables by snapshot and again streamed, updates leaving TOASTed values unchanged, deletes,
 * a truncate, a logical message, a column added and one retyped by DDL, and Greenlight's heartbeat
 * row with a cutover marker (the last change: its arrival ends the capture).
 */
public final class DebeziumRecords {

    public static final String DATABASE = "envelope";
    private static final String SLOT = "greenlight_envelope";
    private static final String DONE = "envelope-done";
    private static List<SourceRecord> records;
    private static IllegalStateException failed;

    private DebeziumRecords() {
    }

    /** The records in the order the engine handed them over. */
    public static synchronized List<SourceRecord> get() {
        if (records == null && failed == null) {
            try {
                records = Collections.unmodifiableList(capture());
            } catch (Exception e) {
                failed = new IllegalStateException("Capturing Debezium records failed: " + e.getMessage(), e);
            }
        }
        if (failed != null) {
            throw failed; // once per JVM: the database is made only once
        }
        return records;
    }

    private static List<SourceRecord> capture() throws Exception {
        TestServers servers = TestServers.get();
        servers.postgres.createDatabase(DATABASE);
        List<TableId> tables = new ArrayList<>();
        try (Connection c = servers.postgres.connect(DATABASE)) {
            new TypesTestResource().createSource(c);
            new HostileNamesTestResource().createSource(c);
            Sql.exec(c, "CREATE SCHEMA " + HeartbeatWriter.SCHEMA,
                    "CREATE TABLE " + HeartbeatWriter.SCHEMA + "." + HeartbeatWriter.TABLE
                            + " (id int PRIMARY KEY, ts timestamptz NOT NULL, marker text)",
                    "INSERT INTO " + HeartbeatWriter.SCHEMA + "." + HeartbeatWriter.TABLE + " VALUES (1, now(), NULL)",
                    "CREATE PUBLICATION " + SLOT + " FOR ALL TABLES");
            for (List<String> row : Sql.rows(c, "SELECT schemaname, tablename FROM pg_tables"
                    + " WHERE schemaname IN ('public', '" + HeartbeatWriter.SCHEMA + "') ORDER BY 1, 2")) {
                tables.add(new TableId(row.get(0), row.get(1)));
            }
        }
        List<SourceRecord> captured = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
                .using(DebeziumProperties.of(config(servers), tables, new TopicNames(DATABASE), "unused:9092"))
                .notifying(event -> captured.add(event.value()))
                .using((success, message, error) -> {
                    if (!success) {
                        failure.set(error != null ? error : new IllegalStateException(message));
                    }
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            executor.execute(engine);
            try (Connection c = servers.postgres.connect(DATABASE)) {
                awaitSlot(c, failure);
                change(c);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (noneDone(captured)) {
                if (failure.get() != null) {
                    throw new IllegalStateException("The engine stopped: " + failure.get().getMessage(), failure.get());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The last change did not arrive within 180 s; " + captured.size() + " records");
                }
                Thread.sleep(100);
            }
        } finally {
            closeWhenStarted(engine);
            executor.shutdown();
            executor.awaitTermination(60, TimeUnit.SECONDS);
            dropSlot(servers);
        }
        return new ArrayList<>(captured);
    }

    /** The engine refuses to stop while its task is still starting (after a failure here). */
    private static void closeWhenStarted(DebeziumEngine<?> engine) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                engine.close();
                return;
            } catch (IllegalStateException starting) {
                if (attempt == 100) {
                    throw starting;
                }
                Thread.sleep(200);
            }
        }
    }

    private static void change(Connection c) throws Exception {
        TypesTestResource.insert(c, "numbers", TypesTestResource.NUMBERS, STREAMED);
        TypesTestResource.insert(c, "texts", TypesTestResource.TEXTS, STREAMED);
        TypesTestResource.insert(c, "times", TypesTestResource.TIMES, STREAMED);
        TypesTestResource.insert(c, "others", TypesTestResource.OTHERS, STREAMED);
        TypesTestResource.insert(c, "infinite", TypesTestResource.INFINITE, STREAMED);
        TypesTestResource.insert(c, "edge", TypesTestResource.EDGE, STREAMED);
        TypesTestResource.insert(c, "exact_text", TypesTestResource.EXACT_TEXT, STREAMED);
        String heartbeat = HeartbeatWriter.SCHEMA + "." + HeartbeatWriter.TABLE;
        Sql.exec(c,
                "UPDATE toasty SET small = small + 1 WHERE id <= 2",
                "UPDATE toasty_keyless SET small = small + 10 WHERE small = 1",
                "UPDATE composite SET v = 9.99 WHERE region = 'eu' AND id = 1",
                "UPDATE keyless SET price = 2.20 WHERE name = 'b'",
                "DELETE FROM numbers WHERE id = " + (STREAMED + 1),
                "DELETE FROM keyless WHERE name = 'a'",
                "TRUNCATE uniq",
                "SELECT pg_logical_emit_message(true, 'greenlight.ddl', 'hello')",
                "INSERT INTO gen (id, a) VALUES (2, 21)",
                "ALTER TABLE evolving ADD COLUMN added text DEFAULT 'd', ALTER COLUMN v TYPE varchar(40)",
                "INSERT INTO evolving VALUES (2, 'a value longer than ten', 2, 2.50, 'y', 'z')",
                "UPDATE evolving SET n = 3 WHERE id = 1",
                "UPDATE \"Select\" SET \"we`ird \"\"name\"\"\" = 'odder' WHERE \"Order\" = 1",
                "INSERT INTO \"" + HostileNamesTestResource.INJECTION + "\" VALUES (3, 'x', 'y; z', '☕', 3)",
                "INSERT INTO \"" + HostileNamesTestResource.UNICODE + "\" VALUES (2, '大阪')",
                "DELETE FROM \"" + HostileNamesTestResource.QUOTES.replace("\"", "\"\"") + "\"",
                "UPDATE " + heartbeat + " SET ts = now(), marker = 'drain-1'",
                "UPDATE " + heartbeat + " SET ts = now(), marker = '" + DONE + "'");
    }

    /** The engine adds records while this looks: the list's own lock keeps the look whole. */
    private static boolean noneDone(List<SourceRecord> captured) {
        synchronized (captured) {
            return captured.stream().noneMatch(DebeziumRecords::isDone);
        }
    }

    private static boolean isDone(SourceRecord record) {
        return record.value() instanceof Struct value && value.schema().field("after") != null
                && value.getStruct("after") != null && value.getStruct("after").schema().field("marker") != null
                && DONE.equals(value.getStruct("after").getString("marker"));
    }

    /** Changes made before the engine's slot exists would be neither snapshot nor streamed. */
    private static void awaitSlot(Connection c, AtomicReference<Throwable> failure) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (Sql.count(c, "pg_replication_slots WHERE slot_name = '" + SLOT + "'") == 0) {
            if (failure.get() != null || System.nanoTime() > deadline) {
                throw new IllegalStateException("The engine did not create its slot", failure.get());
            }
            Thread.sleep(100);
        }
    }

    /** The shared server must not keep WAL for a slot nobody reads. */
    private static void dropSlot(TestServers servers) throws Exception {
        try (Connection c = servers.postgres.connect(DATABASE)) {
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    Sql.exec(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
                    return;
                } catch (SQLException stillActive) {
                    Thread.sleep(200);
                }
            }
        }
    }

    private static GreenlightConfig config(TestServers servers) throws Exception {
        Map<String, String> values = Map.of(
                "greenlight.source.url", servers.postgres.jdbcUrl(DATABASE),
                "greenlight.source.username", "postgres",
                "greenlight.source.slot", SLOT,
                "greenlight.source.publication", SLOT,
                "greenlight.source.snapshot-mode", "initial",
                "greenlight.target.url", "jdbc:mysql://unused:3306/" + DATABASE,
                "greenlight.target.username", "unused",
                "greenlight.data-dir", Files.createTempDirectory("greenlight-envelope-").toString());
        return TestConfig.of(values);
    }
}
