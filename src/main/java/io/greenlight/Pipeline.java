package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.exceptionsorter.MySQLExceptionSorter;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.greenlight.apply.ApplyLoop;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.SchemaEvolution;
import io.greenlight.capture.CaptureEngine;
import io.greenlight.capture.ChangePublisher;
import io.greenlight.capture.ConnectorConfigFile;
import io.greenlight.capture.DebeziumProperties;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.capture.SnapshotProgress;
import io.greenlight.capture.SourcePreflight;
import io.greenlight.config.ConfigValidator;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.kafka.EmbeddedKafkaBroker;
import io.greenlight.kafka.KafkaClients;
import io.greenlight.kafka.TopicAdmin;
import io.greenlight.kafka.TopicNames;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.lag.SlotLagPoller;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Wires and runs the data path: broker (embedded or external) → capture → Kafka → apply →
 * target. Starts in the background so HTTP, health and /status answer while it comes up or
 * after it failed; stops in reverse order.
 */
@ApplicationScoped
public class Pipeline {

    private static final Logger LOG = Logger.getLogger(Pipeline.class);

    private final GreenlightConfig config;
    private final PipelineState state;
    private final PipelineMeters meters;
    private final LagTracker lag;
    private final TopicNames topics;

    private EmbeddedKafkaBroker broker;
    private volatile String bootstrapServers;
    private AgroalDataSource source;
    private AgroalDataSource target;
    private KafkaClients kafka;
    private KafkaProducer<byte[], byte[]> producer;
    private CaptureEngine capture;
    private ApplyLoop apply;
    private SnapshotProgress snapshot;
    private HeartbeatWriter heartbeat;
    private SlotLagPoller slotLag;
    private volatile Map<TableId, SourceTable> tables = Map.of();
    private volatile Dialect dialect;
    private volatile PreflightReport preflight;
    private Thread starter;
    private Thread applyThread;

    private final Event<PipelineStarted> started;

    public Pipeline(GreenlightConfig config, PipelineState state, PipelineMeters meters, LagTracker lag,
                    Event<PipelineStarted> started) {
        this.started = started;
        this.config = config;
        this.state = state;
        this.meters = meters;
        this.lag = lag;
        this.topics = new TopicNames(config.kafka().topicPrefix());
    }

    void onStart(@Observes StartupEvent event) {
        ConfigValidator.validate(config);
        // A bad connector file refuses the start like a bad key does, before anything connects.
        config.capture().connectorConfig().ifPresent(file -> LOG.infof("Connector settings from %s override the built-in ones: %s",
                file, new TreeSet<>(ConnectorConfigFile.load(Path.of(file)).stringPropertyNames())));
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        synchronized (this) {
            if (slotLag != null) {
                slotLag.close();
                slotLag = null;
            }
            closeQuietly(source);
            closeQuietly(target);
            source = null;
            target = null;
        }
        stopBroker();
    }

    /** Brings the pipeline up on a background thread; failures end in phase FAILED with the cause. */
    public synchronized void start() {
        state.phase(PipelineState.Phase.STARTING);
        starter = new Thread(this::bringUp, "greenlight-start");
        starter.start();
    }

    /**
     * Stops capture first (nothing new enters Kafka), then apply, keeping the broker, the slot,
     * the pools and the slot-lag poller: what the source retains while stopped stays visible,
     * and a cutover record can still be written.
     */
    public synchronized void stop() {
        if (starter != null) {
            starter.interrupt();
            join(starter);
            starter = null;
        }
        if (heartbeat != null) {
            heartbeat.close();
            heartbeat = null;
        }
        if (capture != null) {
            capture.close();
            capture = null;
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
        if (apply != null) {
            apply.close();
            join(applyThread);
            apply = null;
        }
        if (state.phase() != PipelineState.Phase.FAILED) {
            state.phase(PipelineState.Phase.STOPPED);
        }
    }

    private void bringUp() {
        try {
            bootstrapServers = config.kafka().bootstrapServers().orElseGet(this::startBroker);
            kafka = new KafkaClients(bootstrapServers, "greenlight-" + topics.prefix());
            GreenlightConfig.Source src = config.source();
            if (source == null) {
                // Lives as long as the process: slot lag stays visible while the pipeline is stopped.
                source = DataSources.pool(src.url().orElseThrow(), src.username().orElseThrow(), src.password(),
                        config.verify().parallelism() + 4, // a verification holds one per table it reads
                        org.postgresql.Driver.class, new PostgreSQLExceptionSorter());
            }
            GreenlightConfig.Target tgt = config.target();
            if (target == null) {
                target = DataSources.pool(Dialect.connectionUrl(tgt.url().orElseThrow()), tgt.username().orElseThrow(),
                        tgt.password(), tgt.poolSize(), com.mysql.cj.jdbc.Driver.class, new MySQLExceptionSorter());
            }
            LossyPolicy lossy = LossyPolicy.of(config.types().lossyAccept().orElse(List.of()));
            Dialect dialect;
            try (Connection connection = target.getConnection(); Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                dialect = Dialect.forTarget(tgt.url().orElseThrow(), rs.getString(1), lossy);
            }
            this.dialect = dialect;

            List<TableId> configured = src.tables().orElse(List.of()).stream().map(String::trim).map(TableId::parse).toList();
            try (Connection connection = source.getConnection()) {
                tables = new SourcePreflight(connection).prepare(configured, src.publication(), src.slot());
            }
            LOG.infof("Capturing %d table(s): %s", tables.size(), tables.keySet());
            PreflightReport report = PreflightReport.of(dialect, tables.values(), lossy);
            preflight = report;
            LOG.info(report.describe());
            if (!report.problems().isEmpty()) {
                throw new IllegalStateException("Greenlight refuses to start, some columns would not arrive exactly:\n  - "
                        + String.join("\n  - ", report.problems()));
            }

            List<String> changeTopics = new ArrayList<>(tables.keySet().stream().map(topics::table).toList());
            List<TopicPartition> partitions;
            try (TopicAdmin admin = new TopicAdmin(kafka.admin())) {
                if (config.kafka().bootstrapServers().isPresent()) { // embedded: offsets in a file (DebeziumProperties)
                    admin.ensureCompactedTopic(topics.sourceOffsets(), config.kafka().replicationFactor());
                }
                admin.ensureChangeTopics(changeTopics, config.kafka().partitions(), config.kafka().replicationFactor(),
                        config.kafka().retention());
                partitions = admin.partitionsOf(changeTopics);
            }

            OffsetStore offsets = new OffsetStore(dialect);
            try (Connection connection = target.getConnection(); Statement st = connection.createStatement()) {
                offsets.createTable(connection);
                for (SourceTable table : tables.values()) {
                    st.execute(dialect.createTable(table));
                }
            }

            apply = new ApplyLoop(kafka.consumer("apply", config.apply().batchSize()), partitions, target,
                    new BatchWriter(dialect, tables, new SchemaEvolution(source, dialect)), offsets, meters, lag,
                    config.apply().batchSize(),
                    config.apply().batchMaxWait(), e -> failed("apply", e,
                    "Fix the cause named above, then restart Greenlight; apply resumes from the target's greenlight_offsets."));
            applyThread = new Thread(apply, "greenlight-apply");
            applyThread.start();

            producer = kafka.producer("capture");
            snapshot = new SnapshotProgress(topics.prefix());
            capture = new CaptureEngine(DebeziumProperties.of(config, tables.keySet(), topics, bootstrapServers),
                    new ChangePublisher(producer, meters, lag), e -> failed("capture", e,
                    "Check the source and Kafka are reachable and the slot exists, then restart Greenlight; capture resumes from its offsets in Kafka."));
            capture.start();
            heartbeat = new HeartbeatWriter(source, lag);
            heartbeat.start(config.heartbeat().interval());
            if (slotLag == null) {
                slotLag = new SlotLagPoller(source, src.slot(), meters);
                slotLag.start(Duration.ofSeconds(2));
            }
            state.phase(PipelineState.Phase.SNAPSHOT);
            LOG.infof("Pipeline started: source → Kafka %s%s → %s target", bootstrapServers,
                    broker != null ? " (embedded)" : "", dialect.name());
            started.fire(new PipelineStarted());
        } catch (Exception e) {
            if (!(e instanceof InterruptedException)) {
                failed("startup", e, "Fix the cause named above and restart Greenlight.");
            }
        }
    }

    private void failed(String component, Throwable cause, String action) {
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
        if (state.fail(component, reason, action)) {
            LOG.errorf("Pipeline FAILED in %s: %s. %s", component, reason, action);
        }
    }

    private String startBroker() {
        broker = new EmbeddedKafkaBroker(Path.of(config.dataDir(), "kafka"), 0);
        return broker.start();
    }

    private synchronized void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** Called by /status: SNAPSHOT until the connector reports the snapshot done, then STREAMING. */
    public PipelineState.Phase phase() {
        PipelineState.Phase phase = state.phase();
        SnapshotProgress progress = snapshot;
        if (phase == PipelineState.Phase.SNAPSHOT && progress != null && progress.snapshotDone()) {
            state.phase(PipelineState.Phase.STREAMING);
            return PipelineState.Phase.STREAMING;
        }
        return phase;
    }

    public Map<TableId, SourceTable> tables() {
        return tables;
    }

    /** The application's tables, without Greenlight's own heartbeat table. */
    public List<TableId> applicationTables() {
        return tables.keySet().stream().filter(t -> !t.schema().equals(HeartbeatWriter.SCHEMA)).toList();
    }

    /** Writes a heartbeat carrying a marker; returns the source WAL position after it. */
    public String writeMarker(String marker) {
        HeartbeatWriter writer = heartbeat;
        if (writer == null) {
            throw new IllegalStateException("The pipeline is not running");
        }
        return writer.beat(marker);
    }

    public Optional<javax.sql.DataSource> sourcePool() {
        return Optional.ofNullable(source);
    }

    public Optional<javax.sql.DataSource> targetPool() {
        return Optional.ofNullable(target);
    }

    /** The target's dialect, known once the pipeline reached the target. */
    public Optional<Dialect> dialect() {
        return Optional.ofNullable(dialect);
    }

    /** The type-mapping report of the last start, once the source and target were read. */
    public Optional<PreflightReport> preflight() {
        return Optional.ofNullable(preflight);
    }

    public boolean captureRunning() {
        CaptureEngine c = capture;
        return c != null && c.isRunning();
    }

    public boolean applyRunning() {
        ApplyLoop a = apply;
        return a != null && a.isRunning();
    }

    public Optional<String> bootstrapServers() {
        return Optional.ofNullable(bootstrapServers);
    }

    public boolean embeddedBroker() {
        return broker != null;
    }

    public boolean sourceReachable() {
        return valid(source);
    }

    public boolean targetReachable() {
        return valid(target);
    }

    public boolean kafkaReachable() {
        KafkaClients k = kafka;
        if (k == null) {
            return false;
        }
        try (TopicAdmin admin = new TopicAdmin(k.admin())) {
            admin.clusterId(Duration.ofSeconds(3));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean valid(AgroalDataSource pool) {
        if (pool == null) {
            return false;
        }
        try (Connection connection = pool.getConnection()) {
            return connection.isValid(3);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AgroalDataSource pool) {
        if (pool != null) {
            pool.close();
        }
    }
}
