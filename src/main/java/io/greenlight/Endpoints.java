package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The two ends of the data path: the source's and the target's connection pools and the
 * target's dialect. Opened by the first bring-up and kept while the process lives, so slot lag
 * stays visible and a cutover record can still be written while the pipeline is stopped.
 */
final class Endpoints implements AutoCloseable {

    private final GreenlightConfig config;
    private volatile AgroalDataSource source;
    private volatile AgroalDataSource target;
    private volatile Dialect dialect;

    Endpoints(GreenlightConfig config) {
        this.config = config;
    }

    /** Opens the pools that are not open yet. */
    synchronized void open() throws SQLException {
        GreenlightConfig.Source src = config.source();
        if (source == null) {
            source = DataSources.source(src.url().orElseThrow(), src.username().orElseThrow(), src.password(),
                    // a verification holds one per key range it reads: range-parallelism per table, parallelism tables
                    config.verify().parallelism() * config.verify().rangeParallelism() + 4);
        }
        GreenlightConfig.Target tgt = config.target();
        if (target == null) {
            target = DataSources.target(tgt.url().orElseThrow(), tgt.username().orElseThrow(), tgt.password(), tgt.poolSize());
        }
    }

    /** Asks the target which engine and version it runs; its dialect from now on. */
    Dialect readDialect(LossyPolicy lossy) throws SQLException {
        Dialect read;
        try (Connection connection = target.getConnection(); Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            read = Dialect.forTarget(config.target().url().orElseThrow(), rs.getString(1), lossy);
        }
        dialect = read;
        return read;
    }

    /** The source's pool; null before the first {@link #open}. */
    AgroalDataSource source() {
        return source;
    }

    /** The target's pool; null before the first {@link #open}. */
    AgroalDataSource target() {
        return target;
    }

    /** The target's dialect; null until the target answered. */
    Dialect dialect() {
        return dialect;
    }

    boolean sourceReachable() {
        return valid(source);
    }

    boolean targetReachable() {
        return valid(target);
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

    @Override
    public synchronized void close() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
        source = null;
        target = null;
    }
}
