package io.greenlight.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A Kafka Connect worker in its own JVM ({@link ConnectWorkerMain}), so a test can kill it with
 * SIGKILL as a crashed node dies, or run it with Kafka's jars alone as a real worker runs.
 */
public final class ChildWorker implements AutoCloseable {

    /** Classpath entries a bare Connect worker has: Kafka, its libraries, and this test's worker main. */
    private static final List<String> WORKER_LIBRARIES = List.of("/org/apache/kafka/", "/com/fasterxml/jackson/", "/org/slf4j/",
            "/org/apache/maven/", "/com/github/luben/", "/org/lz4/", "/org/xerial/snappy/", "/org/awaitility/", "/org/hamcrest/",
            "/jakarta/ws/rs/", "/javax/ws/rs/", "/jakarta/activation/", "/jakarta/xml/bind/", "/io/swagger/",
            "/org/jboss/logmanager/", "/org/jboss/slf4j/", "/org/jboss/logging/", "/io/smallrye/common/", "/org/reflections/", "/org/javassist/",
            "/org/bitbucket/b_c/jose4j/", "/test-classes");

    private final Process process;
    private final Path log;

    private ChildWorker(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** A worker with the test JVM's whole classpath (Greenlight's connectors on it). */
    public static ChildWorker start(String id, String group, String bootstrap, List<Path> connectorFiles) throws IOException {
        return start(id, group, bootstrap, "", entry -> true, connectorFiles);
    }

    /**
     * A worker whose classpath holds Kafka Connect and its libraries only: every connector, transform
     * and driver must come from {@code pluginPath}, loaded in Connect's isolated plugin class loader.
     */
    public static ChildWorker bare(String id, String group, String bootstrap, Path pluginPath, List<Path> connectorFiles)
            throws IOException {
        return start(id, group, bootstrap, pluginPath.toAbsolutePath().toString(),
                entry -> WORKER_LIBRARIES.stream().anyMatch(entry.replace(File.separatorChar, '/')::contains)
                        && !entry.contains("/io/debezium/") && !entry.contains("/org/postgresql/")
                        && !entry.contains("/com/mysql/") && !entry.contains("/org/mariadb/"), connectorFiles);
    }

    private static ChildWorker start(String id, String group, String bootstrap, String pluginPath, Predicate<String> onClasspath,
                                     List<Path> connectorFiles) throws IOException {
        String classpath = String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(onClasspath).toList());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", classpath,
                ConnectWorkerMain.class.getName(), id, group, bootstrap, pluginPath));
        connectorFiles.forEach(f -> command.add(f.toAbsolutePath().toString()));
        Path log = Files.createTempFile("connect-" + id + "-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildWorker(process, log);
    }

    public boolean ready() throws IOException {
        return log().contains("WORKER READY");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the worker printed: its readiness, its connectors' states (with a failed task's trace), its logs. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The last STATUS line for {@code connector}, or "" before one. */
    public String lastStatus(String connector) throws IOException {
        String last = "";
        for (String line : log().split("\n")) {
            if (line.startsWith("STATUS " + connector + " ")) {
                last = line;
            }
        }
        return last;
    }

    /** SIGKILL: no leave-group, no task shutdown, no offset flush — a node that died. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
