package io.greenlight.controlplane;

import io.greenlight.apply.OffsetStore;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.kafka.KafkaClients;
import io.greenlight.kafka.TopicNames;
import io.greenlight.lag.LagTracker;
import io.greenlight.schema.TableId;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Greenlight as the control plane of a pipeline that runs in Kafka Connect
 * ({@code greenlight.mode=control-plane}): no capture and no apply here. It writes the heartbeats
 * (and a cutover's marker) on the source and watches Kafka, Connect's committed source offsets and
 * the target's greenlight_offsets ({@link ConnectProgress}), so lag, /status and the cutover's
 * drain see the pipeline as they see the embedded one.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class);

    private final DataSource source;
    private final HeartbeatWriter heartbeat;
    private final ConnectProgress progress;
    private final Runnable streaming;
    private final Thread watcher;
    private volatile boolean closed;

    private ControlPlane(DataSource source, HeartbeatWriter heartbeat, ConnectProgress progress, Runnable streaming) {
        this.source = source;
        this.heartbeat = heartbeat;
        this.progress = progress;
        this.streaming = streaming;
        this.watcher = new Thread(this::watch, "greenlight-control-plane");
        this.watcher.setDaemon(true);
    }

    /**
     * Starts the heartbeat and the watch over the change topics of {@code tables} (with the
     * heartbeat table's). {@code streaming} is told once Connect's source finished its snapshot.
     */
    public static ControlPlane start(GreenlightConfig config, DataSource source, DataSource target, Dialect dialect,
                                     KafkaClients clients, TopicNames topics, Collection<TableId> tables, LagTracker lag,
                                     Runnable streaming) {
        Set<String> changeTopics = tables.stream().map(topics::table).collect(Collectors.toSet());
        String heartbeatTopic = topics.table(new TableId(HeartbeatWriter.SCHEMA, HeartbeatWriter.TABLE));
        ConnectSourceOffsets sourceOffsets = new ConnectSourceOffsets(clients.sampler("connect-offsets", 500),
                config.connect().offsetsTopic(), config.connect().sourceConnector(), topics.prefix());
        ConnectProgress progress = new ConnectProgress(target, new OffsetStore(dialect), clients.admin(),
                clients.sampler("control-plane", 1), sourceOffsets, lag, changeTopics, heartbeatTopic);
        HeartbeatWriter heartbeat = new HeartbeatWriter(source, lag);
        ControlPlane plane = new ControlPlane(source, heartbeat, progress, streaming);
        heartbeat.start(config.heartbeat().interval());
        plane.watcher.start();
        LOG.infof("Control plane: capture and apply run in Kafka Connect (source connector %s, offsets topic %s); "
                        + "watching %d change topic(s) and the target's greenlight_offsets",
                config.connect().sourceConnector(), config.connect().offsetsTopic(), changeTopics.size());
        return plane;
    }

    private void watch() {
        String failing = null;
        boolean told = false;
        while (!closed) {
            try {
                progress.tick();
                if (failing != null) {
                    LOG.info("Control plane: Kafka and the target answer again");
                    failing = null;
                }
                if (!told && progress.streaming()) {
                    streaming.run();
                    told = true;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                String message = e.getMessage() != null ? e.getMessage() : e.toString();
                if (!message.equals(failing)) {
                    LOG.warnf("Control plane: cannot read the pipeline's progress (%s); lag grows until it can. Retrying.", message);
                    failing = message;
                }
            }
            try {
                Thread.sleep(progress.draining() ? 10 : 500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Writes the cutover's marker heartbeat on the (fenced) source and returns the WAL position
     * after it. The drain's target is known once Connect committed a source offset past the
     * position read just before the marker: every change committed before the fence is in Kafka then.
     */
    public String writeMarker(String marker) {
        long fence;
        try (Connection c = source.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            fence = rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the source's WAL position before the drain marker failed: " + e.getMessage(), e);
        }
        progress.awaitMarker(marker, fence);
        return heartbeat.beat(marker);
    }

    /** Heartbeats reach Kafka (Connect's source connector runs). */
    public boolean captureRunning() {
        return progress.captureRunning();
    }

    /** The sink applies heartbeats (Greenlight's sink connector runs). */
    public boolean applyRunning() {
        return progress.applyRunning();
    }

    @Override
    public void close() {
        closed = true;
        heartbeat.close();
        watcher.interrupt();
        try {
            watcher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        progress.close();
    }
}
