package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.greenlight.apply.ApplyLoop;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.SchemaEvolution;
import io.greenlight.capture.CaptureEngine;
import io.greenlight.capture.ChangePublisher;
import io.greenlight.capture.DebeziumProperties;
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
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
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
    private volatile Map<TableId, SourceTable> tables = Map.of();
    private volatile PreflightReport preflight;
    private Thread starter;
    private Thread applyThread;

    public Pipeline(GreenlightConfig config, PipelineState state, PipelineMeters meters) {
        this.config = config;
        this.state = state;
        this.meters = meters;
        this.topics = new TopicNames(config.kafka().topicPrefix());
    }

    void onStart(@Observes StartupEvent event) {
        ConfigValidator.validate(config);
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        stopBroker();
    }

    /** Brings the pipeline up on a background thread; failures end in phase FAILED with the cause. */
    public synchronized void start() {
        state.phase(PipelineState.Phase.STARTING);
        starter = new Thread(this::bringUp, "greenlight-start");
        starter.start();
    }

    /** Stops capture first (nothing new enters Kafka), then apply, keeping the broker and the slot. */
    public synchronized void stop() {
        if (starter != null) {
            starter.interrupt();
            join(starter);
            starter = null;
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
        closeQuietly(source);
        closeQuietly(target);
        source = null;
        target = null;
        if (state.phase() != PipelineState.Phase.FAILED) {
            state.phase(PipelineState.Phase.STOPPED);
        }
    }

    private void bringUp() {
        try {
            bootstrapServers = config.kafka().bootstrapServers().orElseGet(this::startBroker);
            kafka = new KafkaClients(bootstrapServers, "greenlight-" + topics.prefix());
            GreenlightConfig.Source src = config.source();
            source = DataSources.pool(src.url().orElseThrow(), src.username().orElseThrow(), src.password(), 2,
                    org.postgresql.Driver.class);
            GreenlightConfig.Target tgt = config.target();
            target = DataSources.pool(Dialect.connectionUrl(tgt.url().orElseThrow()), tgt.username().orElseThrow(),
                    tgt.password(), tgt.poolSize(), com.mysql.cj.jdbc.Driver.class);
            LossyPolicy lossy = LossyPolicy.of(config.types().lossyAccept().orElse(List.of()));
            Dialect dialect;
            try (Connection connection = target.getConnection(); Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                dialect = Dialect.forTarget(tgt.url().orElseThrow(), rs.getString(1), lossy);
            }

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
            changeTopics.add(topics.heartbeat());
            List<TopicPartition> partitions;
            try (TopicAdmin admin = new TopicAdmin(kafka.admin())) {
                admin.ensureCompactedTopic(topics.sourceOffsets(), config.kafka().replicationFactor());
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
                    new BatchWriter(dialect, tables, new SchemaEvolution(source, dialect)), offsets, meters, config.apply().batchSize(),
                    config.apply().batchMaxWait(), e -> failed("apply", e,
                    "Fix the cause named above, then restart Greenlight; apply resumes from the target's greenlight_offsets."));
            applyThread = new Thread(apply, "greenlight-apply");
            applyThread.start();

            producer = kafka.producer("capture");
            snapshot = new SnapshotProgress(topics.prefix());
            capture = new CaptureEngine(DebeziumProperties.of(config, tables.keySet(), topics, bootstrapServers),
                    new ChangePublisher(producer, meters), e -> failed("capture", e,
                    "Check the source and Kafka are reachable and the slot exists, then restart Greenlight; capture resumes from its offsets in Kafka."));
            capture.start();
            state.phase(PipelineState.Phase.SNAPSHOT);
            LOG.infof("Pipeline started: source → Kafka %s%s → %s target", bootstrapServers,
                    broker != null ? " (embedded)" : "", dialect.name());
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
