package io.greenlight.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Properties;
import java.util.Map;

/**
 * Source tables for the lost-changes tests: prices (an unconstrained numeric the MariaDB target
 * cannot always hold, to pause it) and notes; Debezium's initial snapshot (not the backfill),
 * so a recopy is the only copy Greenlight's own backfill makes.
 *
 * <p>The initial snapshot reads the tables one after the other: a_first, then b_second and
 * c_third, whose snapshot reads ({@code snapshot.select.statement.overrides}) first wait for an
 * advisory lock a session of this resource holds until the lag test ends it ({@link #release}),
 * so that the snapshot is seen half done. A lock nobody releases ends after 180 s.
 */
public class LostChangesTestResource extends PipelineTestResource {

    public static final String DATABASE = "lost_changes";
    public static final String API_TOKEN = "lost-token-6a3f9c1e8b2d5a7f0c4e9b1d";
    /** The tables the snapshot reads after a_first, each held by a lock until released. */
    public static final java.util.List<String> HELD = java.util.List.of("b_second", "c_third");
    private static final java.util.List<Connection> LOCKS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c, "CREATE TABLE a_first (id int PRIMARY KEY, body text)", "INSERT INTO a_first VALUES (1, 'a'), (2, 'b')");
        for (String table : HELD) {
            Sql.exec(c, "CREATE TABLE " + table + " (id int PRIMARY KEY, body text)", "INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b')");
            Properties props = new Properties();
            props.setProperty("user", "postgres");
            props.setProperty("ApplicationName", "lag-test-hold-" + table);
            Connection lock = new org.postgresql.Driver().connect(TestServers.get().postgres.jdbcUrl(DATABASE), props);
            lock.setAutoCommit(false);
            Sql.exec(lock, "SET idle_in_transaction_session_timeout = '180s'", "SELECT pg_advisory_xact_lock(" + lockKey(table) + ")");
            LOCKS.add(lock);
        }
        Sql.exec(c,
                "CREATE TABLE prices (id int PRIMARY KEY, amount numeric)",
                "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                "INSERT INTO notes VALUES (1, 'before start')");
    }

    @Override
    protected void configure(Map<String, String> config) throws Exception {
        config.put("greenlight.api.token", API_TOKEN);
        config.put("greenlight.source.snapshot-mode", "initial");
        Path connector = Files.createTempFile("lost-changes-connector", ".properties");
        StringBuilder overrides = new StringBuilder("snapshot.select.statement.overrides=" + String.join(",",
                HELD.stream().map(t -> "public." + t).toList()) + "\n");
        for (String table : HELD) { // waits for the lock, then reads the table as the snapshot would
            overrides.append("snapshot.select.statement.overrides.public.").append(table).append("=SELECT t.* FROM public.")
                    .append(table).append(" t, (SELECT pg_advisory_xact_lock_shared(").append(lockKey(table)).append(")) AS gate\n");
        }
        Files.writeString(connector, overrides.toString());
        config.put("greenlight.capture.connector-config", connector.toString());
    }

    private static int lockKey(String table) {
        return 4_200 + HELD.indexOf(table);
    }

    /** Ends the session that holds {@code table}'s lock: the snapshot reads it next. */
    public static void release(Connection any, String table) throws Exception {
        Sql.exec(any, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lag-test-hold-" + table + "'");
    }

    @Override
    public void stop() {
        for (Connection lock : LOCKS) {
            try {
                lock.close();
            } catch (Exception gone) {
                // ended by the test
            }
        }
        LOCKS.clear();
    }
}
