package io.greenlight.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * A real single-node KRaft Kafka (broker + controller in this JVM). Its log lives under the
 * given directory, so a restart on the same directory keeps every topic and offset.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaBroker.class);

    private final Path logDir;
    private int brokerPort;
    private int controllerPort;
    private KafkaRaftServer server;

    public EmbeddedKafkaBroker(Path logDir, int brokerPort) {
        this.logDir = logDir;
        this.brokerPort = brokerPort;
    }

    /**
     * Starts the broker on a free port (or the given one) and returns its bootstrap address;
     * after {@link #close()} it starts again on the same ports and log directory.
     */
    public String start() {
        try {
            ensureLogDir(logDir);
            // A restart of this instance listens where clients already point.
            int port = brokerPort > 0 ? brokerPort : freePort();
            brokerPort = port;
            controllerPort = controllerPort > 0 ? controllerPort : freePort();
            KafkaConfig config = new KafkaConfig(properties(port, controllerPort), false);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format();
            }
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            LOG.infof("Embedded Kafka broker started at 127.0.0.1:%d (log dir %s)", port, logDir);
            return "127.0.0.1:" + port;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker in " + logDir
                    + ": " + e.getMessage() + ". Check that greenlight.data-dir is writable.", e);
        }
    }

    /** Creates the log directory, or says why it cannot: callers check this before starting anything else. */
    public static void ensureLogDir(Path logDir) {
        try {
            Files.createDirectories(logDir);
            if (!Files.isWritable(logDir)) {
                throw new IOException("not writable");
            }
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name is in the way"
                    : e.getMessage();
            throw new UncheckedIOException("Cannot start the embedded Kafka broker in " + logDir
                    + ": " + reason + ". Check that greenlight.data-dir is a writable directory.", e);
        }
    }

    private Properties properties(int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // A single node: every internal topic must have replication factor 1, or consumers hang.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "true");
        // One client (this JVM) on a 2-core budget: the defaults (3 network, 8 I/O, 10 background
        // threads) only add stacks and context switches.
        p.put("num.network.threads", "1");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        // The 128 MiB default dedupe buffer would be allocated on our heap for compacted topics.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        return p;
    }

    private void format() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter().setPrintStream(ps).setClusterId(Uuid.randomUuid().toString()).setNodeId(1)
                    .setControllerListenerName("CONTROLLER").setMetadataLogDirectory(logDir.toString())
                    .setDirectories(List.of(logDir.toString())).setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IOException("formatting the KRaft log directory failed: " + e.getMessage(), e);
        }
        LOG.debugf("Formatted embedded Kafka storage: %s", out.toString(StandardCharsets.UTF_8).trim());
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            LOG.info("Embedded Kafka broker stopped");
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
