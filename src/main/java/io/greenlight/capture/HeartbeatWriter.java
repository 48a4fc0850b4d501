package io.greenlight.capture;

import io.greenlight.lag.LagTracker;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes a row to greenlight.greenlight_heartbeat on the source every interval. The change travels the
 * whole pipeline like any other, so lag stays honest when the application is idle, and the slot
 * keeps advancing (no WAL piles up). Each write also measures the source's clock against ours.
 */
public final class HeartbeatWriter implements AutoCloseable {

    public static final String SCHEMA = "greenlight";
    public static final String TABLE = "greenlight_heartbeat";

    private static final Logger LOG = Logger.getLogger(HeartbeatWriter.class);
    private static final String UPSERT = "INSERT INTO greenlight.greenlight_heartbeat (id, ts, marker) VALUES (1, clock_timestamp(), ?) "
            + "ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts, marker = EXCLUDED.marker "
            + "RETURNING (extract(epoch from ts) * 1000)::bigint";

    private final DataSource source;
    private final LagTracker lag;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "greenlight-heartbeat"));
    private volatile boolean failing;

    public HeartbeatWriter(DataSource source, LagTracker lag) {
        this.source = source;
        this.lag = lag;
    }

    /** DDL for the heartbeat table; run by preflight. */
    public static void createTable(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS greenlight");
            boolean exists;
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('greenlight.greenlight_heartbeat') IS NOT NULL")) {
                exists = rs.next() && rs.getBoolean(1);
            }
            if (!exists) {
                st.execute("CREATE TABLE IF NOT EXISTS greenlight.greenlight_heartbeat (id int PRIMARY KEY, ts timestamptz NOT NULL, marker text)");
                // POST /source/cleanup drops only what Greenlight created.
                st.execute("COMMENT ON TABLE greenlight.greenlight_heartbeat IS '" + SourceCleanup.MARK + "'");
            }
        }
    }

    public void start(Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> beat(null), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Writes one heartbeat carrying {@code marker} (cutover drain uses it) and returns the
     * source's WAL position after it committed.
     */
    public String beat(String marker) {
        try (Connection c = source.getConnection()) {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                // A READ_ONLY cutover fence sets the database default; Greenlight's own writes pass it.
                st.execute("SET default_transaction_read_only = off");
            }
            long before = System.currentTimeMillis();
            long sourceMs;
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                ps.setString(1, marker);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    sourceMs = rs.getLong(1);
                }
            }
            long after = System.currentTimeMillis();
            lag.skewMs(sourceMs - (before + after) / 2);
            String lsn;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                lsn = rs.getString(1);
            }
            if (failing) {
                LOG.info("Heartbeats reach the source again");
                failing = false;
            }
            return lsn;
        } catch (SQLException e) {
            if (!failing) {
                LOG.warnf("Cannot write the heartbeat to the source (%s); lag will grow until it can.", e.getMessage());
                failing = true;
            }
            if (marker != null) {
                throw new IllegalStateException("Writing the drain marker to the source failed: " + e.getMessage(), e);
            }
            return null;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
