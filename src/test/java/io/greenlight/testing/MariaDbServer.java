package io.greenlight.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A throwaway MariaDB (utf8mb4, binlog on in ROW format with full row images) on a free port with its own data directory and socket. */
public final class MariaDbServer implements AutoCloseable {

    private final Path dir;
    private final Path daemon;
    private final int port;
    private Process process;

    private MariaDbServer(Path dir, Path daemon, int port) {
        this.dir = dir;
        this.daemon = daemon;
        this.port = port;
    }

    public static MariaDbServer start() throws Exception {
        Path daemon = ExternalProcess.firstExisting("/usr/sbin/mariadbd", "/usr/sbin/mysqld", "/usr/bin/mariadbd");
        Path installer = ExternalProcess.firstExisting("/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db");
        Path dir = Files.createTempDirectory("greenlight-mariadb-");
        Files.createDirectories(dir.resolve("tmp"));
        // Its own tmpdir: two installs sharing /tmp (test JVMs running side by side) collide on temporary tables.
        List<String> install = new ArrayList<>(List.of(installer.toString(), "--no-defaults", "--datadir=" + dir.resolve("data"),
                "--tmpdir=" + dir.resolve("tmp"), "--auth-root-authentication-method=normal", "--skip-test-db",
                "--skip-name-resolve"));
        if (ExternalProcess.ROOT) {
            install.add("--user=root");
        }
        ExternalProcess.run(install, dir.resolve("install.log"));
        MariaDbServer server = new MariaDbServer(dir, daemon, PostgresServer.freePort());
        server.startProcess();
        return server;
    }

    public synchronized void startProcess() throws Exception {
        List<String> command = new ArrayList<>(List.of(daemon.toString(), "--no-defaults", "--datadir=" + dir.resolve("data"),
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                "--tmpdir=" + dir.resolve("tmp"),
                "--pid-file=" + dir.resolve("mysqld.pid"), "--log-error=" + dir.resolve("error.log"), "--skip-name-resolve",
                // The binlog as a new primary needs it: reverse replication reads it after a cutover.
                "--log-bin=" + dir.resolve("data").resolve("mysql-bin"), "--server-id=1", "--binlog-format=ROW",
                "--binlog-row-image=FULL", "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=2",
                "--innodb-doublewrite=0", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
                "--max-connections=300", "--default-time-zone=+00:00"));
        if (ExternalProcess.ROOT) {
            command.add("--user=root");
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try (Connection c = connect("")) {
                return;
            } catch (SQLException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("MariaDB did not start: " + Files.readString(dir.resolve("error.log")), e);
                }
                Thread.sleep(100);
            }
        }
    }

    public synchronized void startProcessIfStopped() throws Exception {
        if (process == null) {
            startProcess();
        }
    }

    /** Clean shutdown (SIGTERM); {@link #startProcess()} brings it back on the same port and data. */
    public synchronized void stopProcess() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.put("user", "root");
        props.put("password", "");
        return new com.mysql.cj.jdbc.Driver().connect(jdbcUrl(database), props);
    }

    public void createDatabase(String name) throws SQLException {
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        }
    }

    @Override
    public void close() throws Exception {
        stopProcess();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
