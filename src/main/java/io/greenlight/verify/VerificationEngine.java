package io.greenlight.verify;

import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.MySqlDialect;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.schema.SourceTable;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Runs the table comparisons, {@code parallelism} tables at a time; no CDI, so tests call it directly. */
public final class VerificationEngine {

    private VerificationEngine() {
    }

    /**
     * Compares the tables; with {@code options.maxDuration()} set, stops within about one chunk once
     * the time is up and returns the verdicts of the tables finished, naming the others.
     */
    public static VerificationResult run(DataSource source, DataSource target, Collection<SourceTable> tables,
                                         VerifyOptions options, CatchUp catchUp, VerifyProgress progress,
                                         Consumer<TableVerdict> onTable) throws SQLException {
        return run(source, target, tables, options, catchUp, progress, onTable, Checkpoints.NONE);
    }

    /** As above; tables with a checkpoint continue after it, and each table reports how far it got. */
    public static VerificationResult run(DataSource source, DataSource target, Collection<SourceTable> tables,
                                         VerifyOptions options, CatchUp catchUp, VerifyProgress progress,
                                         Consumer<TableVerdict> onTable, Checkpoints checkpoints) throws SQLException {
        Dialect dialect = targetDialect(target);
        List<SourceTable> order = List.copyOf(tables);
        progress.tables(order.stream().map(t -> t.id().toString()).toList());
        RowEstimates.read(source, order, progress);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(options.parallelism(), tables.size())), r -> {
            Thread t = new Thread(r, "greenlight-verify-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Deadline deadline = options.bound().map(Deadline::after).orElse(Deadline.NONE);
        try {
            List<Future<TableVerdict>> futures = new ArrayList<>();
            for (SourceTable table : order) {
                futures.add(pool.submit(() -> {
                    String name = table.id().toString();
                    try {
                        TableVerdict verdict = new TableComparison(table, dialect, options, catchUp, progress, deadline, checkpoints)
                                .run(source, target);
                        progress.tableDone(name);
                        onTable.accept(verdict);
                        return verdict;
                    } catch (Deadline.TimedOut e) {
                        progress.notCompared(name);
                        return null;
                    }
                }));
            }
            List<TableVerdict> verdicts = new ArrayList<>();
            List<String> notCompared = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    TableVerdict verdict = futures.get(i).get();
                    if (verdict != null) {
                        verdicts.add(verdict);
                    } else {
                        notCompared.add(order.get(i).id().toString());
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw new SQLException("Verifying " + order.get(i).id() + " failed: " + cause.getMessage(), cause);
                }
            }
            return new VerificationResult(verdicts, notCompared);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Verification interrupted", e);
        } finally {
            deadline.close();
            pool.shutdownNow();
            progress.finished();
        }
    }

    /** Table names and quoting of the target: MySQL/MariaDB or PostgreSQL. */
    private static Dialect targetDialect(DataSource target) throws SQLException {
        try (Connection c = target.getConnection()) {
            String url = c.getMetaData().getURL();
            if (Dialect.isPostgres(url)) {
                return new PostgresDialect();
            }
            if (!url.startsWith("jdbc:mysql:") && !url.startsWith("jdbc:mariadb:")) {
                throw new SQLException("Verification compares PostgreSQL with MySQL/MariaDB or PostgreSQL; the target is "
                        + url.split("//")[0]);
            }
        }
        return new MySqlDialect();
    }
}
