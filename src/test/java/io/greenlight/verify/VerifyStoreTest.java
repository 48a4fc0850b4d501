package io.greenlight.verify;

import io.greenlight.capture.SourceCleanup;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The source's record of verifications: what a restarted service reads back, and its removal by the source cleanup. */
class VerifyStoreTest {

    private static PGSimpleDataSource source(String db) throws Exception {
        TestServers.get().postgres.createDatabase(db);
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(TestServers.get().postgres.jdbcUrl(db));
        pg.setUser("postgres");
        return pg;
    }

    private static VerifyRecord record(String id, String state) {
        TableVerdict verdict = new TableVerdict("public.orders", 10, 9, 2, "MISMATCH: …", 1, 0, 1, 3,
                List.of(new RowSample("missing", "id=4", List.of()), new RowSample("differing", "(a=1, b=x)", List.of("total"))));
        return new VerifyRecord(id, state, List.of("public.orders", "public.customers"), 500, 30L,
                Instant.now().truncatedTo(ChronoUnit.MICROS), null, List.of(verdict), List.of("public.customers"),
                "Stopped after …", null, 2, List.of(new TableCheckpoint("public.customers", List.of("4000"), 4000, 3999,
                List.of(new TableCheckpoint.SavedMismatch("MISSING", List.of("17"), List.of())), List.of(0L, 0L, 2L))));
    }

    @Test
    void aSavedVerificationReadsBackWithItsVerdictsSamplesTablesLeftAndHowFarATableGot() throws Exception {
        PGSimpleDataSource source = source("verify_store_roundtrip");
        VerifyStore store = new VerifyStore();
        assertEquals(Optional.empty(), store.load(source, "nothing-yet"));
        VerifyRecord saved = record("v1", "TIMED_OUT");
        store.save(source, saved);
        store.save(source, saved); // idempotent: the same row again
        assertEquals(Optional.of(saved), new VerifyStore().load(source, "v1"));
        try (Connection c = source.getConnection()) {
            assertEquals(List.of(List.of("1")), Sql.rows(c, "SELECT count(*) FROM " + VerifyStore.TABLE));
        }
    }

    @Test
    void savingWorksUnderAReadOnlyFenceAndLeavesThePooledSessionAsItWas() throws Exception {
        PGSimpleDataSource source = source("verify_store_fenced");
        try (Connection c = source.getConnection()) {
            Sql.exec(c, "ALTER DATABASE verify_store_fenced SET default_transaction_read_only = on");
        }
        try (Connection c = source.getConnection()) {
            new VerifyStore().save(new SingleConnection(c), record("v2", "RUNNING"));
            assertTrue(c.getAutoCommit());
            assertEquals(List.of(List.of("on")), Sql.rows(c, "SHOW default_transaction_read_only"));
        } finally {
            try (Connection c = source.getConnection()) {
                Sql.exec(c, "SET default_transaction_read_only = off",
                        "ALTER DATABASE verify_store_fenced SET default_transaction_read_only = off");
            }
        }
        assertEquals("RUNNING", new VerifyStore().load(source, "v2").orElseThrow().state());
    }

    @Test
    void theSourceCleanupRemovesTheVerifyTableAndTheGreenlightSchema() throws Exception {
        PGSimpleDataSource source = source("verify_store_cleanup");
        new VerifyStore().save(source, record("v3", "PASSED"));
        try (Connection c = source.getConnection()) {
            SourceCleanup.Result result = new SourceCleanup(c).run("no_such_slot", "no_such_publication", Duration.ofSeconds(5));
            assertTrue(result.dropped().contains("table " + VerifyStore.TABLE), result.toString());
            assertEquals(List.of(List.of("0")), Sql.rows(c, "SELECT count(*) FROM pg_class WHERE relname = 'greenlight_verify'"));
        }
        assertEquals(Optional.empty(), new VerifyStore().load(source, "v3"));
    }

    /** A DataSource handing out one connection (not closed by its users), to look at the session afterwards. */
    private record SingleConnection(Connection connection) implements javax.sql.DataSource {
        @Override
        public Connection getConnection() {
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> method.getName().equals("close") ? null : method.invoke(connection, args));
        }

        @Override
        public Connection getConnection(String user, String password) {
            return getConnection();
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) {
            return null;
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
