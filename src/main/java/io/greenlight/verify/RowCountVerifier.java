package io.greenlight.verify;

import io.greenlight.Pipeline;
import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compares row counts per table. It catches lost and doubled rows, not changed values: the
 * row-by-row comparison replaces it when it lands.
 */
@Startup
@ApplicationScoped
public class RowCountVerifier implements Verifier {

    private final AtomicLong mismatched = new AtomicLong();

    private final Pipeline pipeline;

    private final MeterRegistry registry;
    private final Gauge gauge;

    public RowCountVerifier(MeterRegistry registry, Pipeline pipeline) {
        this.pipeline = pipeline;
        this.registry = registry;
        this.gauge = Gauge.builder("greenlight.verify.mismatched.rows", mismatched, AtomicLong::get)
                .description("Rows that differ between source and target in the last verification").register(registry);
    }

    @PreDestroy
    void removeGauge() {
        registry.remove(gauge);
    }

    @Override
    public VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables)
            throws SQLException {
        List<TableVerdict> verdicts = new ArrayList<>();
        try (Connection s = source.getConnection(); Connection t = target.getConnection()) {
            for (SourceTable table : tables) {
                long sourceRows = count(s, "SELECT count(*) FROM " + pgName(table));
                Dialect dialect = pipeline.dialect().orElseThrow(() -> new SQLException("the target's dialect is not known yet"));
                long targetRows = count(t, "SELECT count(*) FROM " + dialect.tableName(table));
                long diff = Math.abs(sourceRows - targetRows);
                verdicts.add(new TableVerdict(table.id().toString(), sourceRows, targetRows, diff,
                        diff == 0 ? "row counts equal" : "source has " + sourceRows + " rows, target " + targetRows));
            }
        }
        VerificationResult result = new VerificationResult(verdicts);
        mismatched.set(result.mismatchedRows());
        return result;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String pgName(SourceTable table) {
        return '"' + table.id().schema().replace("\"", "\"\"") + "\"." + '"' + table.id().table().replace("\"", "\"\"") + '"';
    }
}
