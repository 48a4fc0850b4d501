package io.greenlight.dialect;

/**
 * The SQL of the target's greenlight_leader table (one row: holder, epoch, expiry), per engine.
 * Expiry is kept in milliseconds of the database's own clock, so instances on hosts whose clocks
 * differ agree on when a lease ran out.
 */
public interface LeaseSql {

    String createTable();

    /** The one row, epoch 0 and expired, unless it exists. */
    String seed();

    /** The database's clock in epoch milliseconds, as an SQL expression. */
    String nowMillis();

    /** Reads epoch and holder of the row, locked against a takeover until the caller's transaction ends. */
    String lockForCheck();

    /**
     * Bounds how long the caller's transaction may sit idle (a paused process): the server ends the
     * session and rolls back, so the locks it holds do not stall a takeover. Seconds as parameter.
     */
    String boundIdleTransaction(long seconds);

    /** Undoes {@link #boundIdleTransaction} after the transaction, where the setting outlives it; or null. */
    String unboundIdleTransaction();

    default String claimIfExpired() {
        return "UPDATE greenlight_leader SET holder = ?, epoch = epoch + 1, expires_at_ms = " + nowMillis() + " + ? "
                + "WHERE id = 1 AND (expires_at_ms < " + nowMillis() + " OR holder = ?)";
    }

    default String claim() {
        return "UPDATE greenlight_leader SET holder = ?, epoch = epoch + 1, expires_at_ms = " + nowMillis() + " + ? WHERE id = 1";
    }

    default String renew() {
        return "UPDATE greenlight_leader SET expires_at_ms = " + nowMillis() + " + ? WHERE id = 1 AND holder = ? AND epoch = ?";
    }

    default String release() {
        return "UPDATE greenlight_leader SET expires_at_ms = 0 WHERE id = 1 AND holder = ? AND epoch = ?";
    }

    /** holder, epoch and the milliseconds until the lease expires (negative: expired). */
    default String read() {
        return "SELECT holder, epoch, expires_at_ms - " + nowMillis() + " FROM greenlight_leader WHERE id = 1";
    }

    static LeaseSql of(Dialect dialect) {
        return dialect instanceof PostgresDialect ? new Postgres() : new MySql();
    }

    final class MySql implements LeaseSql {
        @Override
        public String createTable() {
            return "CREATE TABLE IF NOT EXISTS greenlight_leader (id INT NOT NULL PRIMARY KEY, holder VARCHAR(255) NOT NULL, "
                    + "epoch BIGINT NOT NULL, expires_at_ms BIGINT NOT NULL, updated_at TIMESTAMP(6) NOT NULL "
                    + "DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
        }

        @Override
        public String seed() {
            return "INSERT IGNORE INTO greenlight_leader (id, holder, epoch, expires_at_ms) VALUES (1, '', 0, 0)";
        }

        @Override
        public String nowMillis() {
            return "CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)";
        }

        @Override
        public String lockForCheck() {
            // LOCK IN SHARE MODE: MariaDB has no FOR SHARE; MySQL 8 accepts both.
            return "SELECT epoch, holder FROM greenlight_leader WHERE id = 1 LOCK IN SHARE MODE";
        }

        @Override
        public String boundIdleTransaction(long seconds) {
            return "SET SESSION wait_timeout = " + Math.max(1, seconds);
        }

        @Override
        public String unboundIdleTransaction() {
            return "SET SESSION wait_timeout = @@GLOBAL.wait_timeout";
        }
    }

    final class Postgres implements LeaseSql {
        @Override
        public String createTable() {
            return "CREATE TABLE IF NOT EXISTS greenlight_leader (id integer NOT NULL PRIMARY KEY, holder varchar(255) NOT NULL, "
                    + "epoch bigint NOT NULL, expires_at_ms bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())";
        }

        @Override
        public String seed() {
            return "INSERT INTO greenlight_leader (id, holder, epoch, expires_at_ms) VALUES (1, '', 0, 0) ON CONFLICT (id) DO NOTHING";
        }

        @Override
        public String nowMillis() {
            return "CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint)";
        }

        @Override
        public String lockForCheck() {
            return "SELECT epoch, holder FROM greenlight_leader WHERE id = 1 FOR SHARE";
        }

        @Override
        public String boundIdleTransaction(long seconds) {
            return "SET LOCAL idle_in_transaction_session_timeout = '" + Math.max(1, seconds) + "s'";
        }

        @Override
        public String unboundIdleTransaction() {
            return null; // SET LOCAL ends with the transaction
        }
    }
}
