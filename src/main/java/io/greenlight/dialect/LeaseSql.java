package io.greenlight.dialect;

/**
 * The SQL of the target's greenlight_leader table, per engine: per migration (named by its topic
 * prefix, passed as a quoted SQL literal) one row holding the highest leader epoch (the fencing
 * token) the target has seen and its holder. Apply checks it inside each of
 * its transactions; a new leader raises it before its first one.
 */
public interface LeaseSql {

    String createTable();

    /** The migration's row, epoch 0, unless it exists. */
    String seed(String name);

    /** Reads epoch and holder of the row, locked against a raise until the caller's transaction ends. */
    String lockForCheck(String name);

    /**
     * Bounds how long the caller's transaction may sit idle (a paused process): the server ends the
     * session and rolls back, so the locks it holds do not stall a takeover.
     */
    String boundIdleTransaction(long seconds);

    /** Undoes {@link #boundIdleTransaction} after the transaction, where the setting outlives it; or null. */
    String unboundIdleTransaction();

    /** Raises the epoch to (holder, epoch as parameters 1 and 2, epoch again as 3) unless it is that high already. */
    default String raise(String name) {
        return "UPDATE greenlight_leader SET holder = ?, epoch = ? WHERE name = " + name + " AND epoch < ?";
    }

    /** holder and epoch. */
    default String read(String name) {
        return "SELECT holder, epoch FROM greenlight_leader WHERE name = " + name;
    }

    /** {@code value} as an SQL string literal. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    static LeaseSql of(Dialect dialect) {
        return dialect instanceof PostgresDialect ? new Postgres() : new MySql();
    }

    final class MySql implements LeaseSql {
        @Override
        public String createTable() {
            return "CREATE TABLE IF NOT EXISTS greenlight_leader (name VARCHAR(255) NOT NULL PRIMARY KEY, holder VARCHAR(255) NOT NULL, "
                    + "epoch BIGINT NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) "
                    + "ON UPDATE CURRENT_TIMESTAMP(6)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
        }

        @Override
        public String seed(String name) {
            return "INSERT IGNORE INTO greenlight_leader (name, holder, epoch) VALUES (" + name + ", '', 0)";
        }

        @Override
        public String lockForCheck(String name) {
            // LOCK IN SHARE MODE: MariaDB has no FOR SHARE; MySQL 8 accepts both.
            return "SELECT epoch, holder FROM greenlight_leader WHERE name = " + name + " LOCK IN SHARE MODE";
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
            return "CREATE TABLE IF NOT EXISTS greenlight_leader (name varchar(255) NOT NULL PRIMARY KEY, holder varchar(255) NOT NULL, "
                    + "epoch bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())";
        }

        @Override
        public String seed(String name) {
            return "INSERT INTO greenlight_leader (name, holder, epoch) VALUES (" + name + ", '', 0) ON CONFLICT (name) DO NOTHING";
        }

        @Override
        public String lockForCheck(String name) {
            return "SELECT epoch, holder FROM greenlight_leader WHERE name = " + name + " FOR SHARE";
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
