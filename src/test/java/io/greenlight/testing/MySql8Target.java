package io.greenlight.testing;

import io.greenlight.dialect.Dialect;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

/**
 * MySQL 8 in a container as the target ({@link Containers#mysql8()}), written to as root. The
 * in-JVM test servers only have MariaDB; the suites' MySQL 8 variants run here where Docker is.
 */
public final class MySql8Target implements TargetDatabase {

    public static final MySql8Target INSTANCE = new MySql8Target();

    private MySql8Target() {
    }

    @Override
    public String jdbcUrl(String database) {
        var mysql = Containers.mysql8();
        // root authenticates with caching_sha2_password: without TLS the driver must fetch the server's key
        return "jdbc:mysql://" + mysql.getHost() + ":" + mysql.getMappedPort(3306) + "/" + database
                + "?allowPublicKeyRetrieval=true";
    }

    @Override
    public String username() {
        return "root";
    }

    @Override
    public Optional<String> password() {
        return Optional.of(Containers.mysql8().getPassword()); // the container's root password is its user's
    }

    @Override
    public void createDatabase(String database) throws SQLException {
        try (Connection c = connect("mysql")) {
            Sql.exec(c, "DROP DATABASE IF EXISTS `" + database + "`",
                    "CREATE DATABASE `" + database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); // as the test MariaDB
        }
    }

    @Override
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(Dialect.connectionUrl(jdbcUrl(database)), username(), password().orElseThrow());
    }

    /** Stops the container: connections break and new ones are refused, as when the target server goes down. */
    @Override
    public void stopProcess() {
        var mysql = Containers.mysql8();
        mysql.getDockerClient().stopContainerCmd(mysql.getContainerId()).withTimeout(0).exec();
    }

    /** Starts it again: same host port (fixed, see {@link Containers#mysql8()}), same data; returns once it takes connections. */
    @Override
    public void startProcess() {
        var mysql = Containers.mysql8();
        mysql.getDockerClient().startContainerCmd(mysql.getContainerId()).exec();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120))
                .pollInterval(java.time.Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    try (Connection c = connect("mysql")) {
                        return c.isValid(2);
                    }
                });
    }
}
