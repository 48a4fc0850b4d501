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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service with its embedded Kafka broker, stopped mid-stream (crash and clean
 * stop) and started again on the same data directory: the target converges to the source with
 * no lost and no duplicated rows.
 */
class ServiceRestartIT {

    private static final TestServers SERVERS = TestServers.get();

    @BeforeAll
    static void javaDriversForPlainJUnit() throws Exception {
        Class.forName("org.postgresql.Driver");
    }

    @Test
    void crashMidStreamThenRestartConvergesWithoutLossOrDuplicates() throws Exception {
        restartUnderLoad("crash", true);
    }

    @Test
    void cleanStopMidStreamThenRestartConvergesWithoutLossOrDuplicates() throws Exception {
        restartUnderLoad("graceful", false);
    }

    private void restartUnderLoad(String db, boolean crash) throws Exception {
        SERVERS.postgres.createDatabase(db);
        SERVERS.mariadb.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
                    "INSERT INTO accounts SELECT g, 0, 'seed' FROM generate_series(1, 2000) g",
                    "CREATE TABLE ledger (account int, amount bigint)", "ALTER TABLE ledger REPLICA IDENTITY FULL");
        }
        Path log = Files.createTempFile("greenlight-" + db, ".log");
        Map<String, String> env = SERVERS.serviceEnv(db);

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong transactions = new AtomicLong();
        Thread writer;
        try (ServiceProcess first = ServiceProcess.start(env, log)) {
            awaitStreaming(first);
            writer = startWriter(db, writing, transactions);
            await().atMost(Duration.ofSeconds(60)).until(() -> transactions.get() > 300);
            if (crash) {
                first.kill();
            } else {
                first.stop();
            }
        }
        long atStop = transactions.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> transactions.get() > atStop + 200);
        try (ServiceProcess second = ServiceProcess.start(env, log)) {
            awaitStreaming(second);
            await().atMost(Duration.ofSeconds(30)).until(() -> transactions.get() > atStop + 400);
            writing.set(false);
            writer.join();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                try (Connection source = SERVERS.postgres.connect(db); Connection target = SERVERS.mariadb.connect(db)) {
                    Sql.assertSameRows(Sql.rows(source, "SELECT id, balance, note FROM accounts ORDER BY id"),
                            Sql.rows(target, "SELECT id, balance, note FROM accounts ORDER BY id"));
                    Sql.assertSameRows(Sql.rows(source, "SELECT account, amount, count(*) FROM ledger GROUP BY 1, 2 ORDER BY 1, 2"),
                            Sql.rows(target, "SELECT account, amount, count(*) FROM ledger GROUP BY 1, 2 ORDER BY 1, 2"));
                }
            });
            try (Connection source = SERVERS.postgres.connect(db)) {
                assertEquals(transactions.get(), Sql.count(source, "ledger"), "every transaction wrote one ledger row");
            }
            assertTrue(second.phase().equals("STREAMING"), second.log());
        }
    }

    /** Transfers between accounts plus an append-only ledger (a keyless table: duplicates would show). */
    private static Thread startWriter(String db, AtomicBoolean writing, AtomicLong transactions) {
        Thread writer = new Thread(() -> {
            try (Connection c = SERVERS.postgres.connect(db);
                 PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + ?, note = ? WHERE id = ?");
                 PreparedStatement ledger = c.prepareStatement("INSERT INTO ledger VALUES (?, ?)")) {
                c.setAutoCommit(false);
                while (writing.get()) {
                    int account = ThreadLocalRandom.current().nextInt(1, 2001);
                    long amount = ThreadLocalRandom.current().nextLong(-1000, 1000);
                    update.setLong(1, amount);
                    update.setString(2, "tx " + transactions.get());
                    update.setInt(3, account);
                    update.executeUpdate();
                    ledger.setInt(1, account);
                    ledger.setLong(2, amount);
                    ledger.executeUpdate();
                    c.commit();
                    transactions.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "writer-" + db);
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
