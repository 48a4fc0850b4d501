package io.greenlight.capture;

import io.greenlight.lag.LagTracker;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes the heartbeat row on the end a data path reads, every interval: forward the source's
 * greenlight.greenlight_heartbeat, reverse the new primary's greenlight_reverse_heartbeat (see
 * {@link HeartbeatTable}). The change travels the whole path like any other, so lag stays honest
 * when the application is idle, and a PostgreSQL slot keeps advancing (no WAL piles up). Where the
 * row carries the end's clock, each write also measures that clock against ours.
 */
public final class HeartbeatWriter implements AutoCloseable {

    public static final String SCHEMA = "greenlight";
    public static final String TABLE = "greenlight_heartbeat";

    private static final Logger LOG = Logger.getLogger(HeartbeatWriter.class);

    private final DataSource end;
    private final HeartbeatTable table;
    private final LagTracker lag;
    private final ScheduledExecutorService scheduler;
    private volatile boolean failing;

    /** The forward source's heartbeat. */
    public HeartbeatWriter(DataSource source, LagTracker lag) {
        this(source, HeartbeatTable.SOURCE, lag);
    }

    /** The heartbeat of {@code end}, in {@code table}; {@code lag} is the direction's tracker (told the clock skew). */
    public HeartbeatWriter(DataSource end, HeartbeatTable table, LagTracker lag) {
        this.end = end;
        this.table = table;
        this.lag = lag;
        String thread = table == HeartbeatTable.SOURCE ? "greenlight-heartbeat" : "greenlight-reverse-heartbeat";
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, thread));
    }

    /** DDL for the source's heartbeat table; run by preflight. */
    public static void createTable(Connection connection) throws SQLException {
        HeartbeatTable.SOURCE.create(connection);
    }

    public void start(Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> beat(null), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Writes one heartbeat carrying {@code marker} (a cutover's or rollback's drain uses it) and
     * returns the end's change stream position after it committed, where the end tells it (the
     * source's WAL position), else null. A marker that cannot be written throws.
     */
    public String beat(String marker) {
        try (Connection c = end.getConnection()) {
            c.setAutoCommit(true);
            long before = System.currentTimeMillis();
            long rowMs = table.write(c, before, marker);
            long after = System.currentTimeMillis();
            if (table.serverClock()) {
                lag.skewMs(rowMs - (before + after) / 2);
            }
            String position = table.position(c);
            if (failing) {
                LOG.infof("Heartbeats reach %s again", table.end());
                failing = false;
            }
            return position;
        } catch (SQLException e) {
            if (!failing) {
                LOG.warnf("Cannot write the heartbeat to %s (%s); %s will grow until it can.", table.end(), e.getMessage(), table.lag());
                failing = true;
            }
            if (marker != null) {
                throw new IllegalStateException("Writing the drain marker to " + table.end() + " failed: " + e.getMessage(), e);
            }
            return null;
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
