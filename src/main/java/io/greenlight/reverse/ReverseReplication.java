package io.greenlight.reverse;

import io.agroal.api.AgroalDataSource;
import io.greenlight.DataSources;
import io.greenlight.RunningPipeline;
import io.greenlight.apply.ApplyGate;
import io.greenlight.capture.CaptureEngine;
import io.greenlight.capture.HeartbeatTable;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reverse replication after the switch: the data path with its ends swapped. The new primary is
 * captured ({@link PrimaryCapture}: a MySQL/MariaDB binlog, or a PostgreSQL target's WAL through
 * pgoutput) by the embedded engine forward capture runs, and applied to the old source (PostgreSQL)
 * by forward's batch unit ({@link BatchApply}: batch writer, PostgreSQL dialect, the stream's
 * position in the same transaction, transient failures retried); its heartbeat is forward's
 * {@link HeartbeatWriter} on the new primary's table, its lag forward's {@link LagTracker}, and its
 * parts start and stop as one {@link RunningPipeline}, as forward's do. What differs: no Kafka
 * between capture and apply ({@link ReverseFeed}), so the engine starts from, and apply advances,
 * the position kept on the old source ({@link ReverseOffsets}, {@link SeededOffsetStore}). It starts
 * at the position recorded while both sides were fenced, before the switch ({@link #recordStart}):
 * nothing written on the new primary after the switch is missed, and nothing forward apply wrote comes back.
 */
@ApplicationScoped
public class ReverseReplication {

    private static final Logger LOG = Logger.getLogger(ReverseReplication.class);
    /** Connections of the pool reverse apply writes the old source through (a batch, and the probe naming a change at fault). */
    private static final int POOL_SIZE = 2;

    private final GreenlightConfig config;
    private final ApplyGate gate;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    /** The reverse direction's lag, as forward's: published and applied per batch, heartbeats keeping it honest. */
    private final LagTracker lag = new LagTracker();
    /** The batch unit's counters (per table, errors), kept off the Prometheus registry: forward's names are forward's. */
    private final PipelineMeters applyMeters;
    private RunningPipeline run;
    private volatile String failure;
    private volatile String startedAt;
    private volatile Map<String, ?> position;

    public ReverseReplication(GreenlightConfig config, ApplyGate gate, MeterRegistry registry) {
        this.config = config;
        this.gate = gate;
        this.registry = registry;
        this.applyMeters = new PipelineMeters(new SimpleMeterRegistry(), lag);
        meters.add(Gauge.builder("cdc.reverse.lag.seconds", this, r -> r.started() ? r.lag.endToEndSeconds() : 0)
                .description("Reverse direction (new primary to old source): now minus the newest heartbeat of the new primary "
                        + "applied to the old source (it grows when reverse replication failed); 0 while it is not started")
                .register(registry));
        meters.add(Gauge.builder("cdc.reverse.running", this, r -> r.running() ? 1 : 0)
                .description("1 while reverse replication keeps the old source in sync with the new primary").register(registry));
    }

    @PreDestroy
    void removeMeters() {
        stop();
        meters.forEach(registry::remove);
    }

    /** The stream's name: its row in the old source's bookkeeping and its binlog client's identity. */
    public String stream() {
        return "greenlight-reverse-" + config.kafka().topicPrefix();
    }

    /** How the configured target is captured once it is the primary. */
    private PrimaryCapture capture() {
        return PrimaryCapture.of(config, stream());
    }

    /**
     * Why reverse replication could not run from this target (checked before anything is fenced),
     * or empty when it can; each problem says how to fix it.
     */
    public List<String> readiness(DataSource target, Collection<TableId> tables) {
        try (Connection c = target.getConnection()) {
            return capture().problems(c, tables).stream()
                    .map(p -> p + " Or send \"giveUpRollback\": true to cut over without a rollback path.").toList();
        } catch (SQLException e) {
            return List.of("Cannot read the target's settings for reverse replication (" + e.getMessage() + ").");
        }
    }

    /**
     * Records, on the old source, where the new primary's change stream ends now: called while both
     * sides are fenced and forward apply drained, before the switch. Creates the reverse heartbeat
     * table first (and, on a PostgreSQL target, the publication and the slot), giving up once
     * {@code within} (what is left of the write-blocked budget) has passed.
     */
    public ReverseStart recordStart(Connection oldSource, DataSource target, Collection<TableId> tables, String cutover,
                                    Duration within) throws SQLException {
        ReverseStart start;
        PrimaryCapture capture = capture();
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            capture.heartbeatTable().create(c);
            start = capture.recordStart(c, tables, within);
        }
        ReverseOffsets.seed(oldSource, stream(), cutover, start);
        LOG.infof("Reverse replication for cutover %s will start at the new primary's %s", cutover, start);
        return start;
    }

    /**
     * Starts reading the new primary from the position the old source recorded (a no-op when it
     * runs or when none is recorded); returns whether it runs.
     */
    public synchronized boolean start(DataSource oldSource, DataSource target, Map<TableId, SourceTable> tables) throws SQLException {
        if (run != null) {
            return true;
        }
        Optional<ReverseOffsets.Stored> stored;
        try (Connection c = oldSource.getConnection()) {
            stored = ReverseOffsets.load(c, stream());
            if (stored.isPresent()) {
                c.setAutoCommit(true);
                ReverseOffsets.createTable(c); // a stream seeded by an older version has no transaction record yet
            }
        }
        if (stored.isEmpty()) {
            return false;
        }
        // The old source's own tables, as the catalog describes them: no numeric resizing, no DDL.
        Map<TableId, SourceTable> models = new LinkedHashMap<>();
        tables.forEach((id, t) -> {
            if (!id.schema().equals(HeartbeatWriter.SCHEMA)) {
                models.put(id, t.withNumericExtents(Map.of()));
            }
        });
        PrimaryCapture capture = capture();
        SeededOffsetStore.seed(stream(), stream(), stored.get().offset());
        lag.reset(Map.of());
        failure = null;
        RunningPipeline parts = new RunningPipeline();
        try {
            GreenlightConfig.Source src = config.source();
            AgroalDataSource writes = DataSources.sourceInUtc(src.url().orElseThrow(), src.username().orElseThrow(), src.password(),
                    POOL_SIZE);
            parts.started("reverse apply's pool", writes, writes);
            ReverseFeed feed = new ReverseFeed(stream(), writes, capture, models, lag, applyMeters, gate::reverseWrote,
                    offset -> position = offset);
            parts.started("reverse apply", feed, feed);
            CaptureEngine engine = new CaptureEngine(capture.properties(models.values()), feed, e -> {
                failure = e.getMessage() != null ? e.getMessage() : e.toString();
                LOG.errorf("Reverse replication stopped: %s", failure);
            });
            engine.start();
            parts.capture(engine);
            HeartbeatWriter heartbeat = new HeartbeatWriter(target, capture.heartbeatTable(), lag);
            heartbeat.start(config.heartbeat().interval());
            parts.heartbeat(heartbeat);
        } catch (SQLException | RuntimeException e) {
            parts.close();
            throw e;
        }
        run = parts;
        startedAt = stored.get().startedAt();
        LOG.infof("Reverse replication runs: new primary's %s from %s (recorded by cutover %s) → old source",
                capture.kind(), stored.get().offset(), stored.get().cutover());
        return true;
    }

    /** Stops the parts, the heartbeat and capture first (as forward's). */
    public synchronized void stop() {
        if (run != null) {
            run.close();
            run = null;
        }
    }

    /** Started since this process began (running, or stopped by a failure {@link #status()} names). */
    public boolean started() {
        return run != null;
    }

    public boolean running() {
        return run != null && failure == null;
    }

    /**
     * Forgets the recorded start on the new primary when nothing will read from it (a switch that
     * failed and was reverted, a finished rollback): on PostgreSQL the slot goes, else it would hold
     * the target's WAL. Best effort: a failure is logged with the statement to run.
     */
    public void discardStart(DataSource target) {
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            List<String> removed = capture().discard(c);
            if (!removed.isEmpty()) {
                LOG.infof("Reverse replication's start is discarded: removed %s", String.join(", ", removed));
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Cannot remove reverse replication's slot from the target (%s); it holds the target's WAL until it is "
                    + "dropped (the next switch recreates it, POST /complete removes it)", e.getMessage());
        }
    }

    /**
     * POST /complete: removes what reverse replication created on the new primary (its heartbeat
     * table; on PostgreSQL the publication and the slot too); returns what it removed.
     */
    public List<String> removeFromPrimary(DataSource target) throws SQLException {
        List<String> removed = new ArrayList<>();
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            PrimaryCapture capture = capture();
            capture.heartbeatTable().drop(c);
            removed.add("table " + HeartbeatTable.REVERSE + " (target)");
            removed.addAll(capture.remove(c));
        }
        return removed;
    }

    /** Writes a heartbeat carrying {@code marker} on the new primary (throws when it cannot). */
    public void writeMarker(DataSource target, String marker) {
        try (HeartbeatWriter once = new HeartbeatWriter(target, capture().heartbeatTable(), lag)) {
            once.beat(marker);
        }
    }

    /** True once every change the new primary committed before the marker's beat is applied to the old source. */
    public boolean markerApplied(String marker) {
        return lag.drainTarget(marker).map(lag::appliedThrough).orElse(false);
    }

    public double lagSeconds() {
        return lag.endToEndSeconds();
    }

    public long changesApplied() {
        return applyMeters.tableTotals().values().stream().mapToLong(t -> t[1]).sum();
    }

    /** For GET /status: which way data flows back, how far behind the old source is, and why it stopped if it did. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("running", running());
        status.put("from", "target (new primary, " + capture().kind() + ")");
        status.put("to", "source (old primary, standby)");
        status.put("startedAt", startedAt);
        status.put("lagSeconds", running() ? lag.endToEndSeconds() : null);
        status.put("changesApplied", changesApplied());
        status.put("position", position);
        status.put("failure", failure);
        return status;
    }
}
