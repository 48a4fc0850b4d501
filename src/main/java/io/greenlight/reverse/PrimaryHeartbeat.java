package io.greenlight.reverse;

import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The reverse direction's heartbeat: a row in greenlight_reverse_heartbeat on the new primary,
 * written every interval with our clock in milliseconds. It travels the binlog like the
 * application's changes, so reverse lag stays honest when the new primary is idle, and a beat can
 * carry a marker (rollback drains the reverse stream to it).
 */
final class PrimaryHeartbeat implements AutoCloseable {

    static final String TABLE = "greenlight_reverse_heartbeat";
    private static final Logger LOG = Logger.getLogger(PrimaryHeartbeat.class);

    interface Connections {
        Connection open() throws SQLException;
    }

    private final Connections primary;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "greenlight-reverse-heartbeat"));
    private volatile boolean failing;

    PrimaryHeartbeat(Connections primary) {
        this.primary = primary;
    }

    static void createTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (postgres(c)) {
                st.execute("CREATE TABLE IF NOT EXISTS public." + TABLE + " (id int PRIMARY KEY, beat_ms bigint NOT NULL, marker varchar(64))");
                st.execute("COMMENT ON TABLE public." + TABLE + " IS 'created by Greenlight'");
            } else {
                st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id INT PRIMARY KEY, beat_ms BIGINT NOT NULL, marker VARCHAR(64)) "
                        + "COMMENT 'created by Greenlight'");
            }
        }
    }

    /** A PostgreSQL new primary (blue/green), else MySQL/MariaDB. */
    static boolean postgres(Connection c) throws SQLException {
        return "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
    }

    static void dropTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + (postgres(c) ? "public." : "") + TABLE);
        }
    }

    void start(Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                beat(null);
                failing = false;
            } catch (SQLException e) {
                if (!failing) {
                    LOG.warnf("Cannot write the reverse heartbeat on the new primary (%s); reverse lag grows until it can", e.getMessage());
                }
                failing = true;
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Writes a beat (with a marker, or null); after it commits, every earlier write on the primary is before it in the binlog. */
    void beat(String marker) throws SQLException {
        try (Connection c = primary.open(); PreparedStatement ps = c.prepareStatement(postgres(c)
                ? "INSERT INTO public." + TABLE + " (id, beat_ms, marker) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                + "beat_ms = EXCLUDED.beat_ms, marker = EXCLUDED.marker"
                : "INSERT INTO " + TABLE + " (id, beat_ms, marker) VALUES (1, ?, ?) "
                + "ON DUPLICATE KEY UPDATE beat_ms = VALUES(beat_ms), marker = VALUES(marker)")) {
            c.setAutoCommit(true);
            ps.setLong(1, System.currentTimeMillis());
            ps.setString(2, marker);
            ps.executeUpdate();
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
