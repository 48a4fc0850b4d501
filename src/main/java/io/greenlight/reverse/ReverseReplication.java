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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Reverse replication after the switch: the new primary (MySQL/MariaDB) is captured from its
 * binlog by the same embedded engine forward capture runs, and applied to the old source
 * (PostgreSQL) by the same batch writer and PostgreSQL dialect a PostgreSQL target uses, so the
 * old source stays an exact standby. It starts at the binlog position recorded while both sides
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
        meters.add(Gauge.builder("cdc.reverse.lag.seconds", this, r -> r.running() ? r.progress.lagSeconds() : 0)
                .description("Reverse direction (new primary to old source): now minus the newest heartbeat of the new primary "
                        + "applied to the old source; 0 while reverse replication is not running").register(registry));
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

    /** Why reverse replication could not run from this target, or empty when it can (checked before anything is fenced). */
    public List<String> readiness(String targetEngine, DataSource target) {
        if (!"mysql".equals(targetEngine) && !"mariadb".equals(targetEngine)) {
            return List.of("Reverse replication from a " + targetEngine + " new primary is not available in this version of "
                    + "Greenlight (MySQL/MariaDB targets only): after the switch the old source would fall behind and a rollback "
                    + "would lose the writes made on the target. Send \"giveUpRollback\": true to cut over without a rollback path.");
        }
        try (Connection c = target.getConnection()) {
            return BinlogPreflight.problems(c).stream()
                    .map(p -> p + " Or send \"giveUpRollback\": true to cut over without a rollback path.").toList();
        } catch (SQLException e) {
            return List.of("Cannot read the target's binlog settings (" + e.getMessage() + "); reverse replication needs them.");
        }
    }

    /**
     * Records, on the old source, where the new primary's binlog ends now: called while both sides
     * are fenced and forward apply drained, before the switch. Creates the reverse heartbeat table first.
     */
    public BinlogPosition recordStart(Connection oldSource, DataSource target, String cutover) throws SQLException {
        BinlogPosition start;
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            PrimaryHeartbeat.createTable(c);
            start = BinlogPosition.current(c);
        }
        ReverseOffsets.seed(oldSource, stream(), cutover, start);
        LOG.infof("Reverse replication for cutover %s will start at the new primary's binlog position %s", cutover, start);
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
        }
        if (stored.isEmpty()) {
            return false;
        }
        Map<TableId, SourceTable> application = tables.entrySet().stream()
                .filter(e -> !e.getKey().schema().equals("greenlight"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        Map<String, SourceTable> byName = ReverseApplier.byPrimaryName(application);
        List<String> read = new ArrayList<>(byName.keySet());
        read.add(PrimaryHeartbeat.TABLE);
        GreenlightConfig.Target tgt = config.target();
        Properties properties = ReverseProperties.of(stream(), tgt.url().orElseThrow(), tgt.username().orElseThrow(),
                tgt.password().orElse(null), read, ReverseProperties.serverId(stream()));
        SeededOffsetStore.seed(stream(), stream(), stored.get().offset());
        // The old source's own tables, as the catalog describes them: no numeric resizing, no DDL.
        Map<TableId, SourceTable> models = new LinkedHashMap<>();
        application.forEach((id, t) -> models.put(id, t.withNumericExtents(Map.of())));
        BatchWriter writer = new BatchWriter(new PostgresDialect(), models, null);
        ReverseApplier applier = new ReverseApplier(stream(), oldSource, writer, ReverseApplier.byPrimaryName(models), progress,
                gate::reverseWrote);
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
        LOG.infof("Reverse replication runs: new primary's binlog from %s (recorded by cutover %s) → old source",
                stored.get().offset(), stored.get().cutover());
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

    /** Drops the reverse heartbeat table from the new primary (POST /complete). */
    public void removeFromPrimary(DataSource target) throws SQLException {
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            PrimaryHeartbeat.dropTable(c);
        }
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
        status.put("from", "target (new primary, binlog)");
        status.put("to", "source (old primary, standby)");
        status.put("startedAt", startedAt);
        status.put("lagSeconds", running() ? progress.lagSeconds() : null);
        status.put("changesApplied", progress.changesApplied());
        status.put("position", progress.offset());
        status.put("failure", failure);
        return status;
    }
}
