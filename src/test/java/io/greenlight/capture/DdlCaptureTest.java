package io.greenlight.capture;

import io.greenlight.schema.DdlEvent;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.TableDefinition;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source's DDL trigger against a real PostgreSQL: what it writes into the WAL (read back through a
 * test_decoding slot), in the statement's transaction; the privilege it needs and the advised remedy;
 * its removal by the source cleanup.
 */
class DdlCaptureTest {

    private static final String DB = "ddl_capture";

    @BeforeAll
    static void createDatabase() throws Exception {
        Class.forName("org.postgresql.Driver");
        TestServers.get().postgres.createDatabase(DB);
        try (Connection c = connect()) {
            Sql.exec(c, "CREATE TYPE mood AS ENUM ('sad', 'ok')",
                    "CREATE TABLE items (id int PRIMARY KEY, a text, m mood)",
                    "CREATE TABLE renames (id int PRIMARY KEY, a text)",
                    "CREATE TABLE indexed (id int PRIMARY KEY, a text)",
                    "CREATE TABLE others (id int PRIMARY KEY, m mood[])");
            assertEquals(Optional.empty(), new DdlCapture(c).ensure());
        }
    }

    private static Connection connect() throws Exception {
        return TestServers.get().postgres.connect(DB);
    }

    @Test
    void aRenameIsWrittenInItsTransactionBetweenTheRowsAroundItWithTheColumnsAttributeNumbers() throws Exception {
        List<String> wal = captured("rename", "INSERT INTO renames VALUES (1, 'x')",
                "ALTER TABLE renames RENAME COLUMN a TO b", "INSERT INTO renames VALUES (2, 'y')");
        assertEquals(List.of("BEGIN", "table public.renames: INSERT", "message", "table public.renames: INSERT", "COMMIT"),
                wal.stream().map(DdlCaptureTest::kind).toList(), wal.toString());
        DdlEvent event = DdlEvent.parse(content(wal.get(2)));
        assertEquals("ALTER TABLE", event.tag());
        assertEquals(new TableId("public", "renames"), event.table());
        assertTrue(event.statement().contains("RENAME COLUMN a TO b"), event.statement());
        SourceColumn renamed = event.definition().orElseThrow().table().columns().get(1);
        assertEquals("b", renamed.name());
        assertEquals(2, renamed.position(), "a rename keeps the attribute number");
    }

    @Test
    void aDroppedIndexIsWrittenForItsTableWithoutIt() throws Exception {
        try (Connection c = connect()) {
            Sql.exec(c, "CREATE UNIQUE INDEX indexed_a ON indexed (a)");
        }
        List<String> wal = captured("dropindex", "DROP INDEX indexed_a");
        DdlEvent event = DdlEvent.parse(content(wal.stream().filter(l -> kind(l).equals("message")).findFirst().orElseThrow()));
        assertEquals("DROP INDEX", event.tag());
        assertEquals(new TableId("public", "indexed"), event.table());
        assertTrue(event.definition().orElseThrow().index("indexed_a").isEmpty());
    }

    @Test
    void indexesCreatedAndDroppedConcurrentlyAreWrittenForTheirTable() throws Exception {
        // CONCURRENTLY cannot run in a transaction block and commits transactions of its own in between
        List<String> wal = captured("concurrently", false, "CREATE UNIQUE INDEX CONCURRENTLY indexed_c ON indexed (a)",
                "DROP INDEX CONCURRENTLY indexed_c");
        List<DdlEvent> events = wal.stream().filter(l -> kind(l).equals("message")).map(l -> DdlEvent.parse(content(l))).toList();
        assertEquals(List.of("CREATE INDEX", "DROP INDEX"), events.stream().map(DdlEvent::tag).toList(), wal.toString());
        assertEquals(List.of(new TableId("public", "indexed"), new TableId("public", "indexed")),
                events.stream().map(DdlEvent::table).toList());
        TableDefinition.Index created = events.get(0).definition().orElseThrow().index("indexed_c").orElseThrow();
        assertTrue(created.unique() && created.columns().equals(List.of("a")), created.toString());
        assertTrue(events.get(1).definition().orElseThrow().index("indexed_c").isEmpty());
    }

    @Test
    void anEnumLabelAddedIsWrittenForEveryTableWithAColumnOfItsTypeOrItsArray() throws Exception {
        List<String> wal = captured("enum", "ALTER TYPE mood ADD VALUE 'happy'");
        List<DdlEvent> events = wal.stream().filter(l -> kind(l).equals("message")).map(l -> DdlEvent.parse(content(l))).toList();
        assertEquals(List.of("public.items", "public.others"), events.stream().map(e -> e.table().toString()).sorted().toList());
        assertEquals(List.of("sad", "ok", "happy"), events.stream().filter(e -> e.table().table().equals("items")).findFirst()
                .orElseThrow().definition().orElseThrow().table().column("m").orElseThrow().enumLabels());
    }

    @Test
    void aDroppedTableIsWrittenWithoutADefinition() throws Exception {
        try (Connection c = connect()) {
            Sql.exec(c, "CREATE TABLE doomed (id int PRIMARY KEY)");
        }
        List<String> wal = captured("droptable", "DROP TABLE doomed");
        DdlEvent event = DdlEvent.parse(content(wal.stream().filter(l -> kind(l).equals("message")).findFirst().orElseThrow()));
        assertEquals("DROP TABLE", event.tag());
        assertTrue(event.dropsTable());
    }

    @Test
    void withoutThePrivilegeTheRefusalGivesTheScriptASuperuserRunsAndThatScriptWorks() throws Exception {
        String db = "ddl_capture_grant";
        TestServers.get().postgres.createDatabase(db);
        try (Connection admin = TestServers.get().postgres.connect(db)) {
            Sql.exec(admin, "DO $$ BEGIN CREATE ROLE ddl_limited LOGIN REPLICATION; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "GRANT CREATE ON DATABASE " + db + " TO ddl_limited", "CREATE SCHEMA app AUTHORIZATION ddl_limited");
        }
        String script;
        try (Connection limited = DriverManager.getConnection(TestServers.get().postgres.jdbcUrl(db), "ddl_limited", "")) {
            Optional<String> problem = new DdlCapture(limited).ensure();
            assertTrue(problem.isPresent());
            assertTrue(problem.get().contains("needs a superuser") && problem.get().contains("CREATE EVENT TRIGGER"), problem.get());
            script = problem.get().substring(problem.get().indexOf("CREATE SCHEMA IF NOT EXISTS greenlight;"),
                    problem.get().lastIndexOf("then restart Greenlight."));
        }
        try (Connection admin = TestServers.get().postgres.connect(db)) {
            Sql.exec(admin, script); // what the refusal advised
        }
        try (Connection limited = DriverManager.getConnection(TestServers.get().postgres.jdbcUrl(db), "ddl_limited", "")) {
            assertTrue(new DdlCapture(limited).installed(), "installed by the advised script: the start goes on");
            assertEquals(Optional.empty(), new DdlCapture(limited).ensure());
            // the application's DDL, by a user without rights on schema greenlight, passes through the triggers
            Sql.exec(limited, "CREATE TABLE app.t (id int PRIMARY KEY, v text)", "ALTER TABLE app.t RENAME COLUMN v TO w",
                    "CREATE INDEX t_w ON app.t (w)", "DROP INDEX app.t_w", "DROP TABLE app.t");
        }
    }

    @Test
    void withoutThePrivilegeTheStartIsRefusedNamingTheOptOutAndWithDdlCaptureOffItGoesOnWithoutTriggers() throws Exception {
        String db = "ddl_capture_off";
        TestServers.get().postgres.createDatabase(db);
        try (Connection admin = TestServers.get().postgres.connect(db)) {
            Sql.exec(admin, "DO $$ BEGIN CREATE ROLE ddl_managed LOGIN REPLICATION; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "GRANT CREATE ON DATABASE " + db + " TO ddl_managed", "CREATE SCHEMA app AUTHORIZATION ddl_managed");
        }
        List<TableId> tables = List.of(new TableId("app", "orders"));
        // a managed database: the application's role owns its tables, no role may create event triggers
        try (Connection managed = DriverManager.getConnection(TestServers.get().postgres.jdbcUrl(db), "ddl_managed", "")) {
            Sql.exec(managed, "CREATE TABLE app.orders (id int PRIMARY KEY, v text)");
            SourceNotReadyException refused = org.junit.jupiter.api.Assertions.assertThrows(SourceNotReadyException.class,
                    () -> new SourcePreflight(managed).prepare(tables, "pub_off", "slot_off"));
            assertTrue(refused.getMessage().contains("needs a superuser")
                    && refused.getMessage().contains("greenlight.schema.ddl-capture=off"), refused.getMessage());
            assertEquals(tables.get(0), new SourcePreflight(managed, io.greenlight.config.GreenlightConfig.Schema.DdlCapture.OFF)
                    .prepare(tables, "pub_off", "slot_off").keySet().iterator().next());
            assertEquals(List.of(List.of("0")), Sql.rows(managed, "SELECT count(*) FROM pg_event_trigger"), "no trigger installed");
        }
    }

    @Test
    void sourceCleanupRemovesTheTriggersAndTheirFunctionsAndDdlStillWorks() throws Exception {
        String db = "ddl_capture_cleanup";
        TestServers.get().postgres.createDatabase(db);
        try (Connection c = TestServers.get().postgres.connect(db)) {
            assertEquals(Optional.empty(), new DdlCapture(c).ensure());
            SourceCleanup.Result result = new SourceCleanup(c).run("no_such_slot", "no_such_publication", Duration.ofSeconds(5));
            assertTrue(result.dropped().stream().anyMatch(d -> d.startsWith("event triggers")), result.toString());
            assertFalse(new DdlCapture(c).installed());
            assertEquals(List.of(List.of("0")), Sql.rows(c, "SELECT count(*) FROM pg_event_trigger"));
            assertEquals(List.of(List.of("0")), Sql.rows(c, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'greenlight_ddl%'"));
            Sql.exec(c, "CREATE TABLE after_cleanup (id int)", "DROP TABLE after_cleanup");
        }
    }

    /** The statements run in one transaction, as test_decoding shows the slot's WAL of it. */
    private static List<String> captured(String slot, String... statements) throws Exception {
        return captured(slot, true, statements);
    }

    /** What the statements write into the WAL; {@code inOneTransaction} false: each in its own (autocommit). */
    private static List<String> captured(String slot, boolean inOneTransaction, String... statements) throws Exception {
        try (Connection c = connect()) {
            Sql.exec(c, "SELECT pg_create_logical_replication_slot('ddl_" + slot + "', 'test_decoding')",
                    "SET synchronous_commit = on"); // logical decoding reads flushed WAL only
            try {
                c.setAutoCommit(!inOneTransaction);
                Sql.exec(c, statements);
                if (inOneTransaction) {
                    c.commit();
                }
                c.setAutoCommit(true);
                return Sql.rows(c, "SELECT data FROM pg_logical_slot_get_changes('ddl_" + slot + "', NULL, NULL)").stream()
                        .map(row -> row.get(0)).toList();
            } finally {
                c.setAutoCommit(true);
                Sql.exec(c, "SELECT pg_drop_replication_slot('ddl_" + slot + "')");
            }
        }
    }

    private static String kind(String line) {
        if (line.startsWith("BEGIN")) {
            return "BEGIN";
        }
        if (line.startsWith("COMMIT")) {
            return "COMMIT";
        }
        if (line.startsWith("message:")) {
            return "message";
        }
        return line.replaceFirst("^(table [^:]+: [A-Z]+):.*$", "$1");
    }

    private static String content(String line) {
        return line.substring(line.indexOf("content:") + "content:".length());
    }
}
