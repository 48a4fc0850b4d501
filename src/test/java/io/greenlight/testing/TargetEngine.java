package io.greenlight.testing;

import java.sql.Connection;
import java.sql.SQLException;

/** The target database engines a shared suite runs against: the test MariaDB, or a second PostgreSQL. */
public enum TargetEngine implements TargetDatabase {
    MARIADB, POSTGRES;

    public String jdbcUrl(String database) {
        return this == POSTGRES ? TestServers.get().targetPostgres().jdbcUrl(database) : TestServers.get().mariadb.jdbcUrl(database);
    }

    public String username() {
        return this == POSTGRES ? "postgres" : "root";
    }

    public void createDatabase(String database) throws SQLException {
        if (this == POSTGRES) {
            TestServers.get().targetPostgres().createDatabase(database);
        } else {
            TestServers.get().mariadb.createDatabase(database);
        }
    }

    public Connection connect(String database) throws SQLException {
        return this == POSTGRES ? TestServers.get().targetPostgres().connect(database) : TestServers.get().mariadb.connect(database);
    }

    /** Stops the target server abruptly; {@link #startProcess()} brings it back on the same port. */
    public void stopProcess() throws Exception {
        if (this == POSTGRES) {
            TestServers.get().targetPostgres().stopProcess();
        } else {
            TestServers.get().mariadb.stopProcess();
        }
    }

    public void startProcess() throws Exception {
        if (this == POSTGRES) {
            TestServers.get().targetPostgres().startProcess();
        } else {
            TestServers.get().mariadb.startProcess();
        }
    }

    public void startProcessIfStopped() throws Exception {
        if (this == POSTGRES) {
            TestServers.get().targetPostgres().startProcessIfStopped();
        } else {
            TestServers.get().mariadb.startProcessIfStopped();
        }
    }
}
