package io.greenlight.connect;

import io.agroal.api.AgroalDataSource;
import io.greenlight.DataSources;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.SchemaStore;
import io.greenlight.apply.TargetTables;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.errors.ConnectException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The source and target a sink connector or task works with: their pools, the target's dialect,
 * and the migrated tables' models (the source catalog's, sized for the target, overlaid with what
 * apply recorded on the target after source DDL), as the embedded pipeline's bring-up reads them.
 */
final class SinkEndpoints implements AutoCloseable {

    final AgroalDataSource source;
    final AgroalDataSource target;
    final Dialect dialect;
    final LossyPolicy lossy;
    final Map<TableId, SourceTable> tables;

    private SinkEndpoints(AgroalDataSource source, AgroalDataSource target, Dialect dialect, LossyPolicy lossy,
                          Map<TableId, SourceTable> tables) {
        this.source = source;
        this.target = target;
        this.dialect = dialect;
        this.lossy = lossy;
        this.tables = tables;
    }

    static SinkEndpoints open(GreenlightSinkConfig config, int targetPoolSize) {
        AgroalDataSource source = null;
        AgroalDataSource target = null;
        try {
            source = DataSources.source(config.sourceUrl(), config.sourceUsername(), config.sourcePassword(), 2);
            target = DataSources.target(config.targetUrl(), config.targetUsername(), config.targetPassword(), targetPoolSize);
            LossyPolicy lossy = LossyPolicy.of(config.lossyAccept());
            Dialect dialect;
            try (Connection connection = connect(target, GreenlightSinkConfig.TARGET_URL, config.targetUrl());
                 Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                dialect = Dialect.forTarget(config.targetUrl(), rs.getString(1), lossy);
            }
            Map<TableId, SourceTable> tables = new LinkedHashMap<>();
            try (Connection s = connect(source, GreenlightSinkConfig.SOURCE_URL, config.sourceUrl());
                 Connection t = target.getConnection()) {
                SourceCatalog catalog = new SourceCatalog(s);
                List<TableId> missing = new ArrayList<>();
                for (TableId id : config.tables()) {
                    catalog.table(id).ifPresentOrElse(table -> tables.put(id, table), () -> missing.add(id));
                }
                if (!missing.isEmpty()) {
                    throw new ConnectException("Table(s) " + missing + " of " + GreenlightSinkConfig.TABLES
                            + " do not exist on the source " + GreenlightSinkConfig.redacted(config.sourceUrl())
                            + ". Create them there or remove them from " + GreenlightSinkConfig.TABLES + ".");
                }
                Map<TableId, SourceTable> sized = TargetTables.sized(s, t, dialect, tables);
                return new SinkEndpoints(source, target, dialect, lossy, new SchemaStore(dialect).overlay(t, sized));
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(source);
            closeQuietly(target);
            if (e instanceof ConnectException connect) {
                throw connect;
            }
            throw new ConnectException("Greenlight sink cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * What the embedded pipeline's bring-up does on the target before apply: refuses names or
     * values the target cannot hold, creates greenlight_offsets and the migrated tables.
     */
    void prepareTarget() {
        PreflightReport report = PreflightReport.of(dialect, tables.values(), lossy);
        List<String> refused = new ArrayList<>(report.problems());
        tables.keySet().forEach(t -> report.unacceptedLoss(t).ifPresent(why -> refused.add(why
                .replace(LossyPolicy.KEY, GreenlightSinkConfig.LOSSY_ACCEPT))));
        if (!refused.isEmpty()) {
            throw new ConnectException("The Greenlight sink refuses to start:\n  - " + String.join("\n  - ", refused));
        }
        try (Connection connection = target.getConnection()) {
            new OffsetStore(dialect).createTable(connection);
            TargetTables.create(connection, dialect, tables.values());
        } catch (SQLException e) {
            throw new ConnectException("Creating greenlight_offsets and the migrated tables on the target failed: "
                    + e.getMessage(), e);
        }
    }

    private static Connection connect(AgroalDataSource pool, String key, String url) throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new ConnectException("Cannot connect to " + GreenlightSinkConfig.redacted(url) + " (" + key + "): "
                    + e.getMessage() + ". Check the URL, user and password, and that the server is reachable from the "
                    + "Connect workers.", e);
        }
    }

    private static void closeQuietly(AgroalDataSource pool) {
        if (pool != null) {
            pool.close();
        }
    }

    @Override
    public void close() {
        closeQuietly(source);
        closeQuietly(target);
    }
}
