package io.greenlight.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A target database server a suite writes to: the in-JVM test servers ({@link TargetEngine}) or a
 * container on hosts with Docker ({@link MySql8Target}).
 */
public interface TargetDatabase {

    String jdbcUrl(String database);

    String username();

    /** The password of {@link #username()}, when the server needs one (the test servers do not). */
    default Optional<String> password() {
        return Optional.empty();
    }

    /** Creates the database afresh (dropping one of that name). */
    void createDatabase(String database) throws SQLException;

    Connection connect(String database) throws SQLException;

    /** Makes the server unreachable abruptly; {@link #startProcess()} brings it back at the same address. */
    void stopProcess() throws Exception;

    void startProcess() throws Exception;

    /** The settings that point Greenlight at {@code database} on this server. */
    default void configure(java.util.Map<String, String> config, String database) {
        config.put("greenlight.target.url", jdbcUrl(database));
        config.put("greenlight.target.username", username());
        password().ifPresent(p -> config.put("greenlight.target.password", p));
    }
}
