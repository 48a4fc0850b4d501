package io.greenlight.backfill;

import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Measures, every interval on its own thread and its own connection, how strained the source is:
 * how long a commit takes there (a transaction that writes only a logical message, so that its
 * commit is flushed and waits as the application's commits wait, synchronous standbys included;
 * capture ignores the message's prefix) and how far its physical standbys replay behind
 * ({@code pg_stat_replication.replay_lag} of the walsenders not bound to a database: logical ones,
 * Greenlight's own among them, are not standbys). A commit still waiting counts for as long as it
 * has waited, so a source whose commits hang reads as strained at once.
 */
final class SourceLoad implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SourceLoad.class);

    /** The probe's logical messages: capture takes only the greenlight.ddl prefix. */
    static final String PROBE_PREFIX = "greenlight.load-probe";

    private static final String REPLICA_LAG = "SELECT coalesce(max(extract(epoch FROM r.replay_lag)), 0), "
            + "count(*) FILTER (WHERE r.state IS NULL) FROM pg_stat_replication r JOIN pg_stat_activity a ON a.pid = r.pid "
            + "WHERE a.datname IS NULL";

    /** One measurement; {@code replicaLagVisible} is false when the role may not read the standbys' lag. */
    record Reading(Duration commitLatency, Duration replicaLag, boolean replicaLagVisible, String error) {
    }

    private final String url;
    private final String user;
    private final Optional<String> password;
    private final Duration interval;
    private ScheduledExecutorService prober;
    private volatile Connection connection;
    private volatile long commitStartedNanos;
    private volatile long lastCommitNanos;
    private volatile double replicaLagSeconds;
    private volatile boolean replicaLagVisible = true;
    private volatile String error;
    private boolean toldInvisible;

    SourceLoad(String url, String user, Optional<String> password, Duration interval) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.interval = interval;
    }

    /** Starts measuring (again after {@link #close}); the first reading follows at once. */
    synchronized void start() {
        if (prober == null) {
            prober = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "greenlight-backfill-source-load");
                t.setDaemon(true);
                return t;
            });
            prober.scheduleWithFixedDelay(this::measure, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The latest measurement; a commit in flight counts with the time it has waited so far. */
    Reading reading() {
        long started = commitStartedNanos;
        long waiting = started == 0 ? 0 : System.nanoTime() - started;
        return new Reading(Duration.ofNanos(Math.max(lastCommitNanos, waiting)),
                Duration.ofMillis(Math.round(replicaLagSeconds * 1000)), replicaLagVisible, error);
    }

    private void measure() {
        try {
            Connection c = connection();
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery(REPLICA_LAG)) {
                    rs.next();
                    replicaLagSeconds = rs.getDouble(1);
                    replicaLagVisible = rs.getLong(2) == 0;
                }
                c.setAutoCommit(false);
                st.executeQuery("SELECT pg_logical_emit_message(true, '" + PROBE_PREFIX + "', '')").close();
                commitStartedNanos = System.nanoTime();
                c.commit();
                lastCommitNanos = System.nanoTime() - commitStartedNanos;
                commitStartedNanos = 0;
                c.setAutoCommit(true);
            }
            error = null;
            if (!replicaLagVisible && !toldInvisible) {
                toldInvisible = true;
                LOG.warnf("The backfill cannot see how far the source's standbys replay behind: role %s may not read "
                        + "pg_stat_replication. GRANT pg_monitor TO %s on the source lets the copy back off when a standby lags.",
                        user, user);
            }
        } catch (SQLException e) {
            commitStartedNanos = 0;
            error = "cannot measure the source's load: " + e.getMessage();
            LOG.warnf("The backfill %s; it goes on without backing off until it can (next try in %s).", error, interval);
            closeConnection();
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Properties props = new Properties();
            props.setProperty("user", user);
            password.ifPresent(p -> props.setProperty("password", p));
            props.setProperty("ApplicationName", "greenlight-backfill-throttle");
            connection = new org.postgresql.Driver().connect(url, props);
            if (connection == null) {
                throw new SQLException("greenlight.source.url is not a PostgreSQL JDBC URL");
            }
            try (Statement st = connection.createStatement()) {
                st.execute("SET SESSION default_transaction_read_only = off"); // a fenced source still measures
            }
        }
        return connection;
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.abort(Runnable::run); // also ends a commit that hangs on a synchronous standby
            } catch (SQLException ignored) {
                // gone already
            }
        }
    }

    @Override
    public synchronized void close() {
        if (prober != null) {
            prober.shutdownNow();
            prober = null;
        }
        closeConnection();
        commitStartedNanos = 0;
    }
}
