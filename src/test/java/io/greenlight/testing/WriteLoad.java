package io.greenlight.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady write load on the source that survives the source's own restarts: each transaction
 * updates a random account (table accounts, primary key) and appends one row with a unique tx
 * number to the keyless table ledger, so a change applied twice shows as a duplicate there.
 */
public final class WriteLoad implements AutoCloseable {

    public static final String[] SCHEMA = {
            "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text)",
            "INSERT INTO accounts SELECT g, 0, 'seed' FROM generate_series(1, 1000) g",
            "CREATE TABLE ledger (tx bigint, account int, amount bigint)",
            "ALTER TABLE ledger REPLICA IDENTITY FULL"};

    private final PostgresServer postgres;
    private final String database;
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;

    private WriteLoad(PostgresServer postgres, String database) {
        this.postgres = postgres;
        this.database = database;
        this.thread = new Thread(this::run, "write-load-" + database);
    }

    public static WriteLoad start(PostgresServer postgres, String database) {
        WriteLoad load = new WriteLoad(postgres, database);
        load.thread.start();
        return load;
    }

    /** Transactions the source acknowledged. */
    public long committed() {
        return committed.get();
    }

    /** Transactions that failed (the source was down); they are retried with a new tx number. */
    public long failures() {
        return failures.get();
    }

    private void run() {
        long tx = 0;
        while (writing.get()) {
            try (Connection c = postgres.connect(database);
                 PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + ?, note = ? WHERE id = ?");
                 PreparedStatement ledger = c.prepareStatement("INSERT INTO ledger VALUES (?, ?, ?)")) {
                c.setAutoCommit(false);
                while (writing.get()) {
                    tx++;
                    int account = ThreadLocalRandom.current().nextInt(1, 1001);
                    long amount = ThreadLocalRandom.current().nextLong(-1000, 1000);
                    update.setLong(1, amount);
                    update.setString(2, "tx " + tx);
                    update.setInt(3, account);
                    update.executeUpdate();
                    ledger.setLong(1, tx);
                    ledger.setInt(2, account);
                    ledger.setLong(3, amount);
                    ledger.executeUpdate();
                    c.commit();
                    committed.incrementAndGet();
                    Thread.sleep(3);
                }
            } catch (SQLException e) {
                failures.incrementAndGet();
                pause(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops writing and waits for the last transaction to end. */
    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        thread.join();
    }

    /** Waits until the target holds exactly the source's accounts and ledger rows (a duplicate fails it). */
    public static void assertConverged(PostgresServer postgres, MariaDbServer mariadb, String database) throws SQLException {
        try (Connection source = postgres.connect(database); Connection target = mariadb.connect(database)) {
            Sql.assertSameRows(Sql.rows(source, "SELECT id, balance, note FROM accounts ORDER BY id"),
                    Sql.rows(target, "SELECT id, balance, note FROM accounts ORDER BY id"));
            Sql.assertSameRows(Sql.rows(source, "SELECT tx, account, amount, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
                    Sql.rows(target, "SELECT tx, account, amount, count(*) FROM ledger GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
        }
    }
}
