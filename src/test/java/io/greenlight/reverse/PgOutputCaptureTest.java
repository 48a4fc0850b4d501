package io.greenlight.reverse;

import io.greenlight.schema.TableId;
import io.greenlight.testing.PostgresServer;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What reverse replication needs from a PostgreSQL target, checked against the real target cluster. */
class PgOutputCaptureTest {

    private static final String DATABASE = "reverse_privileges";
    private static final Pattern ADVICE = Pattern.compile("Run on the target: ([^;]+;)");

    private final PostgresServer target = TestServers.get().targetPostgres();
    private final PgOutputCapture capture = new PgOutputCapture(null, "greenlight-reverse-probe", "gl_probe_reverse", "gl_probe_reverse");
    private final List<TableId> tables = List.of(new TableId("public", "items"));

    @Test
    void aTargetUserWithoutReplicationAndPublicationPrivilegesIsNamedWithTheStatementsThatFixThem() throws Exception {
        try (Connection admin = target.connect("postgres")) {
            Sql.exec(admin, "DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)", "CREATE DATABASE " + DATABASE,
                    "DO $$ BEGIN CREATE ROLE gl_reverse_limited LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "ALTER ROLE gl_reverse_limited NOREPLICATION");
        }
        try (Connection admin = target.connect(DATABASE)) {
            Sql.exec(admin, "CREATE TABLE items (id int PRIMARY KEY, name text)", "GRANT SELECT ON items TO gl_reverse_limited");
            List<String> problems;
            try (Connection limited = connectAs("gl_reverse_limited")) {
                problems = capture.problems(limited, tables);
            }
            assertEquals(4, problems.size(), problems.toString());
            assertTrue(problems.get(0).contains("lacks the REPLICATION attribute")
                    && problems.get(0).endsWith("Run on the target: ALTER ROLE gl_reverse_limited REPLICATION;"), problems.get(0));
            assertTrue(problems.get(1).endsWith("Run on the target: GRANT CREATE ON DATABASE " + DATABASE + " TO gl_reverse_limited;"),
                    problems.get(1));
            assertTrue(problems.get(2).endsWith("Run on the target: GRANT CREATE ON SCHEMA public TO gl_reverse_limited;"),
                    problems.get(2));
            assertTrue(problems.get(3).contains("does not own table public.items")
                    && problems.get(3).endsWith("Run on the target: ALTER TABLE public.items OWNER TO gl_reverse_limited;"), problems.get(3));

            for (String problem : problems) { // the advised remedies, as written
                Matcher advice = ADVICE.matcher(problem);
                assertTrue(advice.find(), problem);
                Sql.exec(admin, advice.group(1));
            }
            try (Connection limited = connectAs("gl_reverse_limited")) {
                limited.setAutoCommit(true);
                assertEquals(List.of(), capture.problems(limited, tables));
                // What the switch then does as this user: the heartbeat table, the publication and the slot.
                capture.heartbeatTable().create(limited);
                ReverseStart start = capture.recordStart(limited, tables, Duration.ofSeconds(60));
                assertTrue(start.description().startsWith("LSN "), start.description());
                assertEquals(List.of("publication gl_probe_reverse (target)", "replication slot gl_probe_reverse (target)"),
                        capture.remove(limited));
            }
            assertEquals("0", Sql.rows(admin, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'gl_probe_reverse'")
                    .get(0).get(0));
        }
    }

    @Test
    void aTableWithoutPrimaryKeyOrReplicaIdentityIsNamedWithTheStatementThatFixesIt() throws Exception {
        try (Connection admin = target.connect("postgres")) {
            Sql.exec(admin, "DROP DATABASE IF EXISTS reverse_identity WITH (FORCE)", "CREATE DATABASE reverse_identity");
        }
        try (Connection c = target.connect("reverse_identity")) {
            Sql.exec(c, "DROP TABLE IF EXISTS items", "CREATE TABLE items (id int, name text)");
            List<String> problems = capture.problems(c, tables);
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).contains("Table public.items on the target has REPLICA IDENTITY DEFAULT and no primary key")
                    && problems.get(0).endsWith("Run on the target: ALTER TABLE public.items REPLICA IDENTITY FULL;"), problems.get(0));
            Sql.exec(c, "ALTER TABLE public.items REPLICA IDENTITY FULL;");
            assertEquals(List.of(), capture.problems(c, tables));
        }
    }

    @Test
    void aTargetTransactionHoldingTheReverseStartEndsItWithinItsTimeNamingTheSessionAndTheAdvisedStatementFreesIt() throws Exception {
        try (Connection admin = target.connect("postgres")) {
            Sql.exec(admin, "DROP DATABASE IF EXISTS reverse_bounded WITH (FORCE)", "CREATE DATABASE reverse_bounded");
        }
        try (Connection c = target.connect("reverse_bounded"); Connection holder = target.connect("reverse_bounded")) {
            c.setAutoCommit(true);
            Sql.exec(c, "CREATE TABLE items (id int PRIMARY KEY, name text)");
            capture.heartbeatTable().create(c);
            holder.setAutoCommit(false); // a maintenance session that locked a migrated table and never committed
            Sql.exec(holder, "LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
            String pid = Sql.rows(holder, "SELECT pg_backend_pid()").get(0).get(0);

            long started = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> capture.recordStart(c, tables, Duration.ofSeconds(2)));
            double took = (System.nanoTime() - started) / 1e9;
            assertTrue(took < 10, "gave up after " + took + " s, not within its 2 s");
            assertTrue(e.getMessage().contains("did not finish within the 2.0 s left of maxWriteBlockedSeconds"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + pid + " (user postgres, database reverse_bounded, idle in transaction"), e.getMessage());
            assertEquals("0", Sql.rows(c, "SHOW statement_timeout").get(0).get(0), "the pooled session's statement_timeout is reset");
            assertEquals("0", Sql.rows(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'gl_probe_reverse'").get(0).get(0));

            Matcher advice = Pattern.compile("SELECT pg_terminate_backend\\(\\d+\\);").matcher(e.getMessage());
            assertTrue(advice.find(), e.getMessage());
            Sql.rows(c, advice.group()); // the advised remedy, as written
            ReverseStart start = capture.recordStart(c, tables, Duration.ofSeconds(60));
            assertTrue(start.description().startsWith("LSN "), start.description());
            capture.remove(c);
        }
    }

    private Connection connectAs(String user) throws SQLException {
        Properties props = new Properties();
        props.put("user", user);
        return new org.postgresql.Driver().connect(target.jdbcUrl(DATABASE), props);
    }
}
