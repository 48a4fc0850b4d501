package io.greenlight.reverse;

import io.greenlight.apply.ApplyGate;
import io.greenlight.apply.BatchWriter;
import io.greenlight.capture.CaptureEngine;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.Properties;

/**
 * Reverse replication after the switch: the new primary is captured ({@link PrimaryCapture}: a
 * MySQL/MariaDB binlog, or a PostgreSQL target's WAL through the pgoutput capture forward
 * replication runs) by the same embedded engine forward capture runs, and applied to the old source
 * (PostgreSQL) by the same batch writer and PostgreSQL dialect a PostgreSQL target uses, so the
 * old source stays an exact standby. It starts at the position recorded while both sides
 * were fenced, before the switch ({@link #recordStart}): nothing written on the new primary after
 * the switch is missed, and nothing forward apply wrote comes back.
 */
@ApplicationScoped
public class ReverseReplication {

    private static final Logger LOG = Logger.getLogger(ReverseReplication.class);

    private final GreenlightConfig config;
    private final ApplyGate gate;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final ReverseProgress progress = new ReverseProgress();
    private CaptureEngine engine;
    private PrimaryHeartbeat heartbeat;
    private volatile String failure;
    private volatile String startedAt;

    public ReverseReplication(GreenlightConfig config, ApplyGate gate, MeterRegistry registry) {
        this.config = config;
        this.gate = gate;
        this.registry = registry;
        meters.add(Gauge.builder("cdc.reverse.lag.seconds", this, r -> r.started() ? r.progress.lagSeconds() : 0)
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
                                    java.time.Duration within) throws SQLException {
        ReverseStart start;
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            PrimaryHeartbeat.createTable(c);
            start = capture().recordStart(c, tables, within);
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
        if (engine != null) {
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
            if (!id.schema().equals("greenlight")) {
                models.put(id, t.withNumericExtents(Map.of()));
            }
        });
        PrimaryCapture capture = capture();
        Properties properties = capture.properties(models.values());
        SeededOffsetStore.seed(stream(), stream(), stored.get().offset());
        BatchWriter writer = new BatchWriter(new PostgresDialect(), models, null);
        ReverseApplier applier = new ReverseApplier(stream(), oldSource, writer, capture, models, progress, gate::reverseWrote);
        progress.restarted();
        failure = null;
        engine = new CaptureEngine(properties, applier, e -> {
            failure = e.getMessage() != null ? e.getMessage() : e.toString();
            LOG.errorf("Reverse replication stopped: %s", failure);
        });
        engine.start();
        heartbeat = new PrimaryHeartbeat(target::getConnection);
        heartbeat.start(config.heartbeat().interval());
        startedAt = stored.get().startedAt();
        LOG.infof("Reverse replication runs: new primary's %s from %s (recorded by cutover %s) → old source",
                capture.kind(), stored.get().offset(), stored.get().cutover());
        return true;
    }

    public synchronized void stop() {
        if (heartbeat != null) {
            heartbeat.close();
            heartbeat = null;
        }
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    /** Started since this process began (running, or stopped by a failure {@link #status()} names). */
    public boolean started() {
        return engine != null;
    }

    public boolean running() {
        CaptureEngine e = engine;
        return e != null && failure == null;
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
            PrimaryHeartbeat.dropTable(c);
            removed.add("table " + PrimaryHeartbeat.TABLE + " (target)");
            removed.addAll(capture().remove(c));
        }
        return removed;
    }

    /** Writes a heartbeat carrying {@code marker} on the new primary. */
    public void writeMarker(DataSource target, String marker) throws SQLException {
        new PrimaryHeartbeat(target::getConnection).beat(marker);
    }

    public boolean markerApplied(String marker) {
        return progress.markerApplied(marker);
    }

    public double lagSeconds() {
        return progress.lagSeconds();
    }

    public long changesApplied() {
        return progress.changesApplied();
    }

    /** For GET /status: which way data flows back, how far behind the old source is, and why it stopped if it did. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("running", running());
        status.put("from", "target (new primary, " + capture().kind() + ")");
        status.put("to", "source (old primary, standby)");
        status.put("startedAt", startedAt);
        status.put("lagSeconds", running() ? progress.lagSeconds() : null);
        status.put("changesApplied", progress.changesApplied());
        status.put("position", progress.offset());
        status.put("failure", failure);
        return status;
    }
}
