package io.greenlight;

import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The packaged service (embedded broker) killed with SIGKILL at random moments while the source
 * mixes keyed updates, keyless inserts, TRUNCATE + refill of a keyless table and columns added by
 * DDL: after the last start the target equals the source, nothing lost and nothing doubled.
 */
class ChaosRestartIT {

    private static final TestServers SERVERS = TestServers.get();
    private static final String DB = "chaos";

    @BeforeAll
    static void javaDriversForPlainJUnit() throws Exception {
        Class.forName("org.postgresql.Driver");
    }

    @Test
    void killedAtRandomPointsOfARunMixingDdlTruncatesAndKeylessTablesItConvergesWithNothingLostOrDoubled() throws Exception {
        SERVERS.postgres.createDatabase(DB);
        SERVERS.mariadb.createDatabase(DB);
        try (Connection c = SERVERS.postgres.connect(DB)) {
            Sql.exec(c, "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                    "INSERT INTO accounts SELECT g, 0, 'seed' FROM generate_series(1, 500) g",
                    "CREATE TABLE ledger (tx bigint, account int, amount bigint)", "ALTER TABLE ledger REPLICA IDENTITY FULL",
                    "CREATE TABLE scratch (kind text, n int)", "ALTER TABLE scratch REPLICA IDENTITY FULL");
        }
        Path log = Files.createTempFile("greenlight-" + DB, ".log");
        Map<String, String> env = SERVERS.serviceEnv(DB);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong transactions = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = startWriter(writing, transactions, writerFailure);
        for (int round = 0; round < 3; round++) {
            try (ServiceProcess service = ServiceProcess.start(env, log)) {
                awaitStreaming(service);
                long at = transactions.get();
                long more = ThreadLocalRandom.current().nextLong(50, 400);
                await().atMost(Duration.ofSeconds(120)).until(() -> transactions.get() > at + more);
                service.kill();
            }
        }
        try (ServiceProcess last = ServiceProcess.start(env, log)) {
            awaitStreaming(last);
            long at = transactions.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> transactions.get() > at + 100);
            writing.set(false);
            writer.join();
            assertNull(writerFailure.get());
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1))
                    .failFast("Greenlight FAILED", () -> "FAILED".equals(last.phase()))
                    .untilAsserted(() -> {
                        try (Connection source = SERVERS.postgres.connect(DB); Connection target = SERVERS.mariadb.connect(DB)) {
                            Sql.assertSameRows(Sql.rows(source, "SELECT id, balance, note FROM accounts ORDER BY id"),
                                    Sql.rows(target, "SELECT id, balance, note FROM accounts ORDER BY id"));
                            Sql.assertSameRows(Sql.rows(source, "SELECT tx, account, amount, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
                                    Sql.rows(target, "SELECT tx, account, amount, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
                            Sql.assertSameRows(Sql.rows(source, "SELECT kind, n, count(*) FROM scratch GROUP BY 1, 2 ORDER BY 1, 2"),
                                    Sql.rows(target, "SELECT kind, n, count(*) FROM scratch GROUP BY 1, 2 ORDER BY 1, 2"));
                            Sql.assertSameRows(Sql.rows(source, "SELECT tx, extra1, extra2 FROM ledger WHERE extra1 IS NOT NULL OR extra2 IS NOT NULL ORDER BY tx"),
                                    Sql.rows(target, "SELECT tx, extra1, extra2 FROM ledger WHERE extra1 IS NOT NULL OR extra2 IS NOT NULL ORDER BY tx"));
                        }
                    });
            try (Connection source = SERVERS.postgres.connect(DB)) {
                assertEquals(transactions.get(), Sql.count(source, "ledger"), "every transaction wrote one ledger row");
            }
        }
    }

    /**
     * Each transaction: a transfer and a ledger row. Every 40th also empties scratch and refills it
     * with identical rows; at the 150th and 400th a column is added to ledger, and later rows fill it.
     */
    private static Thread startWriter(AtomicBoolean writing, AtomicLong transactions, AtomicReference<Throwable> failure) {
        Thread writer = new Thread(() -> {
            try (Connection c = SERVERS.postgres.connect(DB); Statement st = c.createStatement();
                 PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + ?, note = ? WHERE id = ?")) {
                c.setAutoCommit(false);
                int columns = 0;
                while (writing.get()) {
                    long tx = transactions.get() + 1;
                    if (tx == 150 || tx == 400) {
                        st.execute("ALTER TABLE ledger ADD COLUMN extra" + (++columns) + " int");
                        c.commit();
                    }
                    int account = ThreadLocalRandom.current().nextInt(1, 501);
                    long amount = ThreadLocalRandom.current().nextLong(-1000, 1000);
                    update.setLong(1, amount);
                    update.setString(2, "tx " + tx);
                    update.setInt(3, account);
                    update.executeUpdate();
                    String extras = columns == 0 ? "" : columns == 1 ? ", " + tx % 7 : ", " + tx % 7 + ", " + tx % 11;
                    String names = columns == 0 ? "" : columns == 1 ? ", extra1" : ", extra1, extra2";
                    st.execute("INSERT INTO ledger (tx, account, amount" + names + ") VALUES (" + tx + ", " + account + ", "
                            + amount + extras + ")");
                    if (tx % 40 == 0) {
                        st.execute("TRUNCATE scratch");
                        st.execute("INSERT INTO scratch SELECT 'same', " + (tx % 3) + " FROM generate_series(1, 5)");
                    }
                    c.commit();
                    transactions.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }, "writer-" + DB);
        writer.start();
        return writer;
    }

    private static void awaitStreaming(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast("Greenlight exited", () -> !service.isAlive())
                .failFast("Greenlight FAILED", () -> "FAILED".equals(service.phase()))
                .until(() -> "STREAMING".equals(service.phase()));
    }
}
