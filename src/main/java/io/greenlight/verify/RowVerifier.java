package io.greenlight.verify;

import io.greenlight.config.GreenlightConfig;
import io.greenlight.lag.LagTracker;
import io.greenlight.schema.SourceTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Verifier: row-by-row, normalized comparison of every table (see {@link TableComparison}).
 * Mismatched rows are re-checked once the pipeline has applied what the source had committed,
 * measured by {@link LagTracker}. Logs one line per table and sets
 * greenlight_verify_mismatched_rows after each verification.
 */
@Startup
@ApplicationScoped
public class RowVerifier implements Verifier {

    private static final Logger LOG = Logger.getLogger(RowVerifier.class);

    private final AtomicLong mismatched = new AtomicLong();
    private final GreenlightConfig.Verify config;
    private final LagTracker lag;
    private final MeterRegistry registry;
    private final Gauge gauge;

    public RowVerifier(MeterRegistry registry, GreenlightConfig config, LagTracker lag) {
        this.config = config.verify();
        this.lag = lag;
        this.registry = registry;
        this.gauge = Gauge.builder("greenlight.verify.mismatched.rows", mismatched, AtomicLong::get)
                .description("Rows that differ between source and target in the last verification").register(registry);
    }

    /** A restarted application (tests) registers a fresh gauge instead of finding this one. */
    @PreDestroy
    void removeGauge() {
        registry.remove(gauge);
    }

    /** The options from greenlight.verify.*. */
    public VerifyOptions options() {
        return new VerifyOptions(config.chunkSize(), config.parallelism(), config.sampleSize(), config.recheckLimit(),
                config.catchUpTimeout(), config.maxDuration().orElse(null), config.rangeParallelism());
    }

    @Override
    public VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables)
            throws SQLException {
        // The cutover's verification: greenlight.verify.max-duration bounds POST /verify only (the
        // cutover has its own budgets and must not read a table left out as a difference).
        return verify(source, target, tables, options().withMaxDuration(null), new VerifyProgress());
    }

    @Override
    public VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables,
                                     VerifyOptions options, VerifyProgress progress) throws SQLException {
        return verify(source, target, tables, options, progress, verdict -> { });
    }

    @Override
    public VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables,
                                     VerifyOptions options, VerifyProgress progress,
                                     java.util.function.Consumer<TableVerdict> onTable) throws SQLException {
        return verify(source, target, tables, options, progress, onTable, Checkpoints.NONE);
    }

    @Override
    public VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables,
                                     VerifyOptions options, VerifyProgress progress,
                                     java.util.function.Consumer<TableVerdict> onTable, Checkpoints checkpoints)
            throws SQLException {
        VerificationResult result = VerificationEngine.run(source, target, tables, options, this::awaitApplied, progress,
                verdict -> {
                    LOG.infof("Verify %s: %s", verdict.table(), verdict.detail());
                    onTable.accept(verdict);
                }, checkpoints);
        mismatched.set(result.mismatchedRows());
        LOG.infof("Verification of %d table(s) %s in %.1f s (%d rows/s): %s", tables.size(),
                !result.complete() ? "TIMED OUT" : result.matches() ? "PASSED" : "FAILED", progress.elapsedSeconds(), progress.rowsPerSecond(), result.summary());
        return result;
    }

    /** Sets greenlight_verify_mismatched_rows to a resumed verification's total over all its attempts. */
    @Override
    public void mismatchedRows(long rows) {
        mismatched.set(rows);
    }

        /** Polls the applied frontier (source commit time, local clock) until it reaches {@code epochMs}. */
    private boolean awaitApplied(long epochMs, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OptionalLong frontier = lag.appliedFrontierMs();
            if (frontier.isPresent() && frontier.getAsLong() >= epochMs) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }
}
