package io.greenlight.lag;

import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Polls how much WAL the source retains for Greenlight's slot, off the data path. The value
 * keeps growing while capture is stopped: that is the disk the source spends on us.
 */
public final class SlotLagPoller implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SlotLagPoller.class);
    private static final String QUERY = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, active, "
            + "(confirmed_flush_lsn - '0/0')::text FROM pg_replication_slots WHERE slot_name = ?";

    private final DataSource source;
    private final String slot;
    private final PipelineMeters meters;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "greenlight-slot-lag"));
    private volatile boolean active;
    private volatile boolean failing;
    private final LongConsumer onSlotGone;
    private Long lastConfirmed;

    /** {@code onSlotGone} hears, once per disappearance, the last confirmed LSN of a slot that was there and is gone. */
    public SlotLagPoller(DataSource source, String slot, PipelineMeters meters, LongConsumer onSlotGone) {
        this.source = source;
        this.slot = slot;
        this.meters = meters;
        this.onSlotGone = onSlotGone;
    }

    public void start(Duration interval) {
        scheduler.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether a replication connection is reading the slot, as of the last poll. */
    public boolean slotActive() {
        return active;
    }

    void poll() {
        try (Connection c = source.getConnection(); PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    long bytes = rs.getLong(1);
                    meters.slotLagBytes(rs.wasNull() ? -1 : bytes);
                    active = rs.getBoolean(2);
                    String confirmed = rs.getString(3);
                    lastConfirmed = confirmed == null ? 0L : Long.parseUnsignedLong(confirmed);
                } else {
                    meters.slotLagBytes(-1);
                    active = false;
                    if (lastConfirmed != null) {
                        long gone = lastConfirmed;
                        lastConfirmed = null;
                        onSlotGone.accept(gone);
                    }
                }
            }
            failing = false;
        } catch (SQLException e) {
            if (!failing) {
                LOG.warnf("Cannot read replication slot %s's lag from the source: %s", slot, e.getMessage());
                failing = true;
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
