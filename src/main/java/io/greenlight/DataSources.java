package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.exceptionsorter.MySQLExceptionSorter;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.greenlight.dialect.Dialect;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/** Agroal pools for the source and the target, built from the typed config. */
public final class DataSources {

    private DataSources() {
    }

    /**
     * The target's pool: the driver and fatal-error rules of the engine the URL names. A PostgreSQL
     * target's sessions pass a READ_ONLY fence as the source's do: after a rollback the target is the
     * fenced standby and forward apply, the reverse heartbeat and the cutover history still write to it.
     */
    public static AgroalDataSource target(String configuredUrl, String user, Optional<String> password, int maxSize)
            throws SQLException {
        String url = Dialect.connectionUrl(configuredUrl);
        if (Dialect.isPostgres(url)) {
            return pool(url, user, password, maxSize, org.postgresql.Driver.class, new PostgreSQLExceptionSorter(),
                    "SET SESSION default_transaction_read_only = off");
        }
        return pool(url, user, password, maxSize, com.mysql.cj.jdbc.Driver.class, new MySQLExceptionSorter());
    }

    /**
     * The source's pool. Each session turns a READ_ONLY cutover fence's database default off for
     * itself: Greenlight's own writes (heartbeats, the drain marker, the cutover journal, the
     * bring-up's DDL) pass the fence, so a start while the source is fenced does not fail on them.
     */
    public static AgroalDataSource source(String url, String user, Optional<String> password, int maxSize) throws SQLException {
        return pool(url, user, password, maxSize, org.postgresql.Driver.class, new PostgreSQLExceptionSorter(),
                "SET SESSION default_transaction_read_only = off");
    }

    /**
     * The pool reverse apply writes the old source through after a switch: sessions as the source
     * pool's, in UTC, because the new primary's timestamps without an offset (MySQL/MariaDB DATETIME,
     * where a timestamptz was kept in UTC) are UTC.
     */
    public static AgroalDataSource sourceInUtc(String url, String user, Optional<String> password, int maxSize) throws SQLException {
        return pool(url, user, password, maxSize, org.postgresql.Driver.class, new PostgreSQLExceptionSorter(),
                "SET SESSION default_transaction_read_only = off; SET SESSION TIME ZONE 'UTC'");
    }

    public static AgroalDataSource pool(String url, String user, Optional<String> password, int maxSize, Class<?> driver,
                                 AgroalConnectionPoolConfiguration.ExceptionSorter exceptionSorter) throws SQLException {
        return pool(url, user, password, maxSize, driver, exceptionSorter, null);
    }

    /**
     * A pool whose broken connections are discarded: the exception sorter flushes a connection
     * after a fatal error (the server restarted), idle ones are validated before reuse.
     */
    private static AgroalDataSource pool(String url, String user, Optional<String> password, int maxSize, Class<?> driver,
                                 AgroalConnectionPoolConfiguration.ExceptionSorter exceptionSorter, String initialSql) throws SQLException {
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.minSize(0).maxSize(maxSize)
                        .acquisitionTimeout(Duration.ofSeconds(10))
                        .exceptionSorter(exceptionSorter)
                        .connectionValidator(AgroalConnectionPoolConfiguration.ConnectionValidator.defaultValidatorWithTimeout(5))
                        .idleValidationTimeout(Duration.ofSeconds(5))
                        .validationTimeout(Duration.ofSeconds(30))
                        .connectionFactoryConfiguration(factory -> {
                            // The cutover fence recognises Greenlight's own sessions by this name and spares them.
                            factory.jdbcUrl(url).connectionProviderClass(driver).jdbcProperty("ApplicationName", "greenlight")
                                    .principal(new NamePrincipal(user)).loginTimeout(Duration.ofSeconds(10));
                            password.ifPresent(pw -> factory.credential(new SimplePassword(pw)));
                            if (initialSql != null) {
                                factory.initialSql(initialSql);
                            }
                            return factory;
                        }));
        return AgroalDataSource.from(config);
    }
}
