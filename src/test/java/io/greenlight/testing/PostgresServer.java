package io.greenlight.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/** A throwaway PostgreSQL cluster with wal_level=logical on a free port, in a temp directory. */
public final class PostgresServer implements AutoCloseable {

    private final Path dir;
    private final Path bin;
    private final int port;
    private volatile boolean running;

    /** off for the source (speed); on for a target a test kills: a crash must not lose what the target committed. */
    private final boolean synchronousCommit;

    private PostgresServer(Path dir, Path bin, int port, boolean synchronousCommit) {
        this.synchronousCommit = synchronousCommit;
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    public static PostgresServer start() throws Exception {
        return start(false);
    }

    /** A cluster whose commits survive an immediate stop: the target of PostgreSQL-to-PostgreSQL tests. */
    public static PostgresServer startDurable() throws Exception {
        return start(true);
    }

    private static PostgresServer start(boolean synchronousCommit) throws Exception {
        Path bin = findBin();
        Path dir = serverDirectory("greenlight-pg-");
        ExternalProcess.run(ExternalProcess.asUser("postgres", bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"), dir.resolve("initdb.log"));
        PostgresServer server = new PostgresServer(dir, bin, freePort(), synchronousCommit);
        server.startProcess();
        return server;
    }

    /**
     * A physical streaming standby of {@code primary} (pg_basebackup, then started in recovery with
     * hot_standby on): what a production source's replicas are, for tests of replica lag.
     */
    public static PostgresServer startStandbyOf(PostgresServer primary) throws Exception {
        Path bin = findBin();
        Path dir = serverDirectory("greenlight-pg-standby-");
        ExternalProcess.run(ExternalProcess.asUser("postgres", bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1",
                "-p", String.valueOf(primary.port), "-U", "postgres", "-D", dir.resolve("data").toString(), "-R",
                "-X", "stream", "--no-sync"), dir.resolve("basebackup.log"));
        PostgresServer server = new PostgresServer(dir, bin, freePort(), false);
        server.startProcess();
        return server;
    }

    /** A fresh directory the postgres user owns. */
    private static Path serverDirectory(String prefix) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        if (ExternalProcess.ROOT) {
            ExternalProcess.run(java.util.List.of("chown", "postgres:postgres", dir.toString()), Files.createTempFile("chown", ".log"));
        }
        return dir;
    }

    /** Starts (or restarts) the server process on the same data directory and port. */
    public synchronized void startProcess() throws IOException, InterruptedException {
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c wal_level=logical"
                + " -c max_wal_senders=20 -c max_replication_slots=20 -c fsync=off -c synchronous_commit="
                + (synchronousCommit ? "on" : "off")
                + " -c full_page_writes=off -c max_connections=200 -c timezone=UTC";
        ExternalProcess.run(ExternalProcess.asUser("postgres", bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "-o", options, "start"), dir.resolve("pg_ctl.log"));
        running = true;
    }

    /** Brings the server back if a test stopped it (and failed before restarting it). */
    public synchronized void startProcessIfStopped() throws IOException, InterruptedException {
        if (!running) {
            startProcess();
        }
    }

    /** Stops the server abruptly (like a crash); {@link #startProcess()} brings it back. */
    public synchronized void stopProcess() throws IOException, InterruptedException {
        running = false;
        ExternalProcess.run(ExternalProcess.asUser("postgres", bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-m", "immediate", "-w", "stop"), dir.resolve("pg_ctl.log"));
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return new org.postgresql.Driver().connect(jdbcUrl(database) + "?user=postgres", new java.util.Properties());
    }

    public void createDatabase(String name) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name + "\"");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stopProcess();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Path findBin() {
        for (String version : new String[]{"17", "16", "15", "14", "13"}) {
            Path bin = Path.of("/usr/lib/postgresql", version, "bin");
            if (Files.isExecutable(bin.resolve("pg_ctl"))) {
                return bin;
            }
        }
        throw new IllegalStateException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin; "
                + "install postgresql (.ci/run does)");
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
