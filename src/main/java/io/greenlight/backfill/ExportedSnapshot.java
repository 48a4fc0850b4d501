package io.greenlight.backfill;

import io.greenlight.schema.TableId;
import org.postgresql.PGProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A source snapshot the backfill's readers import with SET TRANSACTION SNAPSHOT. It lives as long
 * as the connection that exported it stays open and idle, so this holds that connection until
 * closed. Either the logical slot's own snapshot (created with the slot: the copy and the stream
 * meet exactly at the slot's consistent point), or a fresh one after a restart, which also says
 * which transactions it contains ({@link #contains()}) so that apply skips their changes.
 */
public final class ExportedSnapshot implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("[0-9A-Fa-f-]+");

    private final Connection connection;
    private final String name;
    private final String lsn;
    private final TxSnapshot contains;

    private ExportedSnapshot(Connection connection, String name, String lsn, TxSnapshot contains) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException("Unexpected snapshot name from PostgreSQL: " + name);
        }
        this.connection = connection;
        this.name = name;
        this.lsn = lsn;
        this.contains = contains;
    }

    /**
     * Creates the logical slot on a replication connection, exporting its snapshot: the rows as
     * of the slot's consistent point, from which the slot streams every later transaction.
     */
    public static ExportedSnapshot createSlot(String url, String user, String password, String slot) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, user);
        if (password != null) {
            PGProperty.PASSWORD.set(props, password);
        }
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        Connection connection = DriverManager.getConnection(url, props);
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("CREATE_REPLICATION_SLOT " + TableId.quoteIdentifier(slot)
                     + " LOGICAL pgoutput EXPORT_SNAPSHOT")) {
            rs.next();
            return new ExportedSnapshot(connection, rs.getString("snapshot_name"), rs.getString("consistent_point"), null);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** A snapshot of now, exported from a REPEATABLE READ transaction held open on a pooled connection. */
    public static ExportedSnapshot fresh(DataSource source) throws SQLException {
        Connection connection = source.getConnection();
        try {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_export_snapshot(), pg_current_wal_lsn()::text, "
                         + "pg_current_snapshot()::text")) {
                rs.next();
                return new ExportedSnapshot(connection, rs.getString(1), rs.getString(2), TxSnapshot.parse(rs.getString(3)));
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The name readers pass to SET TRANSACTION SNAPSHOT (checked to be hex digits and dashes). */
    public String name() {
        return name;
    }

    /** The source WAL position of the snapshot, for messages. */
    public String lsn() {
        return lsn;
    }

    /** For a fresh snapshot: the transactions the copy contains. Empty for the slot's own snapshot. */
    public Optional<TxSnapshot> contains() {
        return Optional.ofNullable(contains);
    }

    @Override
    public void close() {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
            connection.close();
        } catch (SQLException ignored) {
            // the snapshot is released with the connection either way
        }
    }
}
