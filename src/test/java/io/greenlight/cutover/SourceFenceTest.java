package io.greenlight.cutover;

import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fence against a real PostgreSQL: every way a fenced role could still write is named with the
 * statement that closes it (and that statement works), ended sessions are waited for, and the
 * undo statements lift a READ_ONLY fence from a session of the fenced database.
 */
class SourceFenceTest {

    private static final TestServers SERVERS = TestServers.get();
    private static final String DB = "fence_paths";
    private static final List<TableId> TABLES = List.of(TableId.parse("public.by_group"), TableId.parse("public.by_public"),
            TableId.parse("public.owned"));

    @BeforeAll
    static void database() throws Exception {
        SERVERS.postgres.createDatabase(DB);
        try (Connection c = admin()) {
            Sql.exec(c, "DO $$ BEGIN CREATE ROLE fence_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "DO $$ BEGIN CREATE ROLE fence_group NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "CREATE TABLE by_group (id int PRIMARY KEY)", "CREATE TABLE by_public (id int PRIMARY KEY)",
                    "CREATE TABLE owned (id int PRIMARY KEY)", "GRANT SELECT, INSERT ON by_group, by_public, owned TO fence_app");
        }
    }

    @Test
    void aRevokeNamesEachPathThatStillGrantsWritesAndItsRemedyClosesIt() throws Exception {
        try (Connection c = admin()) {
            Sql.exec(c, "GRANT INSERT, DELETE ON by_group TO fence_group", "GRANT fence_group TO fence_app",
                    "GRANT UPDATE ON by_public TO PUBLIC",
                    "ALTER TABLE owned OWNER TO fence_group"); // the owner's privileges are not the fenced role's: REVOKE leaves them
            CutoverOptions.Fence fence = new CutoverOptions.Fence(CutoverOptions.FenceMode.REVOKE, List.of("fence_app"), null);
            SourceFence probe = new SourceFence(c);
            c.setAutoCommit(false);
            probe.raise(fence, TABLES);
            List<String> leaks = probe.leaks(fence, TABLES);
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(3, leaks.size(), leaks.toString());
            assertTrue(leaks.get(0).startsWith("role fence_app can still write public.by_group: through role fence_group, which "
                    + "holds DELETE, INSERT (name it in fence.roles too, or REVOKE DELETE, INSERT ON by_group FROM fence_group;)"), leaks.get(0));
            assertTrue(leaks.get(1).contains("PUBLIC holds UPDATE (REVOKE UPDATE ON by_public FROM PUBLIC;)"), leaks.get(1));
            assertTrue(leaks.get(2).contains("role fence_app owns the table or inherits from its owner fence_group (owners keep their "
                    + "privileges: ALTER TABLE owned OWNER TO another role; or fence with READ_ONLY)"), leaks.get(2));

            Sql.exec(c, "REVOKE DELETE, INSERT ON by_group FROM fence_group", "REVOKE UPDATE ON by_public FROM PUBLIC",
                    "ALTER TABLE owned OWNER TO postgres"); // what the messages advise
            c.setAutoCommit(false);
            probe.raise(fence, TABLES);
            assertEquals(List.of(), probe.leaks(fence, TABLES), "the fence holds once the named paths are closed");
            c.rollback();
            c.setAutoCommit(true);
            Sql.exec(c, "REVOKE fence_group FROM fence_app");
        }
    }

    @Test
    void aRoleSettingThatOverridesReadOnlyIsNamedWithTheResetThatRemovesIt() throws Exception {
        CutoverOptions.Fence fence = new CutoverOptions.Fence(CutoverOptions.FenceMode.READ_ONLY, List.of(), null);
        try (Connection c = admin()) {
            Sql.exec(c, "ALTER ROLE fence_app IN DATABASE " + DB + " SET default_transaction_read_only = off");
            List<String> leaks = new SourceFence(c).leaks(fence, TABLES);
            assertEquals(List.of("role fence_app has default_transaction_read_only=off in this database, which overrides the "
                    + "READ_ONLY fence (ALTER ROLE fence_app IN DATABASE " + DB + " RESET default_transaction_read_only;)"), leaks);
            Sql.exec(c, "ALTER ROLE fence_app IN DATABASE " + DB + " RESET default_transaction_read_only");
            assertEquals(List.of(), new SourceFence(c).leaks(fence, TABLES));
        }
    }

    @Test
    void aReadOnlyFenceEndsTheApplicationsSessionsAndItsUndoLiftsItFromAFencedSession() throws Exception {
        CutoverOptions.Fence fence = new CutoverOptions.Fence(CutoverOptions.FenceMode.READ_ONLY, List.of("fence_app"), null);
        try (Connection app = app(); Connection c = admin()) {
            SourceFence sourceFence = new SourceFence(c);
            List<String> undo = sourceFence.plan(fence, TABLES);
            List<Integer> ended = sourceFence.apply(fence, TABLES);
            assertEquals(1, ended.size(), "the application's open session");
            await().until(() -> sourceFence.stillRunning(ended) == 0);
            assertTrue(sourceFence.stillUp(fence, TABLES));
            assertThrows(SQLException.class, () -> insert(app()), "a new application session is read-only");

            try (Connection operator = admin()) { // a session of the fenced database starts read-only too
                Sql.exec(operator, undo.toArray(String[]::new));
            }
            assertTrue(!sourceFence.stillUp(fence, TABLES));
            insert(app());
        }
    }

    private static void insert(Connection app) throws SQLException {
        try (app) {
            Sql.exec(app, "INSERT INTO by_group VALUES ((SELECT coalesce(max(id), 0) + 1 FROM by_group))");
        }
    }

    private static Connection admin() throws SQLException {
        return SERVERS.postgres.connect(DB);
    }

    private static Connection app() throws SQLException {
        return new org.postgresql.Driver().connect(SERVERS.postgres.jdbcUrl(DB) + "?user=fence_app", new Properties());
    }
}
