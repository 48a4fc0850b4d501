package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.greenlight.apply.TablePauses;
import io.greenlight.apply.TargetTables;
import io.greenlight.backfill.Backfill;
import io.greenlight.backfill.BackfillException;
import io.greenlight.backfill.Recopy;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.kafka.TopicNames;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Copying tables again: on request (recorded on the target, then a restart copies them at a fresh
 * snapshot), a table the backfill paused (copied on its own thread while the others stream), and a
 * table created on the source in a migrated schema (created on the target, then a restart copies it).
 */
final class TableCopies {

    private static final Logger LOG = Logger.getLogger(TableCopies.class);

    private final TopicNames topics;
    private final TablePauses pauses;
    private final Endpoints ends;
    private final Supplier<BringUpPlan> plan;
    private final Supplier<Backfill> backfill;
    private final Runnable start;
    private final Runnable stop;
    private final PipelineAssembler.Failures failures;

    /**
     * @param plan     the last bring-up's plan, null before one read the source and target
     * @param backfill the running bring-up's backfill, null when none runs
     * @param start    (re)starts the pipeline
     * @param stop     stops it
     */
    TableCopies(TopicNames topics, TablePauses pauses, Endpoints ends, Supplier<BringUpPlan> plan, Supplier<Backfill> backfill,
                Runnable start, Runnable stop, PipelineAssembler.Failures failures) {
        this.topics = topics;
        this.pauses = pauses;
        this.ends = ends;
        this.plan = plan;
        this.backfill = backfill;
        this.start = start;
        this.stop = stop;
        this.failures = failures;
    }

    private Map<TableId, SourceTable> planned() {
        BringUpPlan last = plan.get();
        return last == null ? Map.of() : last.tables();
    }

    /**
     * POST /tables/{table}/recopy: stops the pipeline, records the request on the target (the
     * table emptied, apply's positions in its topic forgotten) and starts again, which copies the
     * table at a fresh snapshot before apply goes on (see {@link Recopy}).
     */
    void recopy(TableId table) throws SQLException {
        SourceTable model = planned().get(table);
        Dialect targetDialect = ends.dialect();
        AgroalDataSource pool = ends.target();
        if (model == null || targetDialect == null || pool == null) {
            throw new IllegalStateException("Greenlight has not reached the source and target yet; a recopy of " + table
                    + " needs both. GET /status shows why; retry once the pipeline started.");
        }
        stop.run();
        Recopy.request(pool, targetDialect, model, topics.table(table));
        LOG.infof("Recopy of %s requested: emptied on the target, apply's positions in %s forgotten; restarting to copy it",
                table, topics.table(table));
        start.run();
    }

    /** POST /tables/recopy: every table copied again (see {@link #recopy}), every stored position forgotten. */
    void recopyAll() throws SQLException {
        Dialect targetDialect = ends.dialect();
        AgroalDataSource pool = ends.target();
        Map<TableId, SourceTable> all = planned();
        if (all.isEmpty() || targetDialect == null || pool == null) {
            throw new IllegalStateException("Greenlight has not reached the source and target yet; a recopy needs both. "
                    + "GET /status shows why; retry once they are reachable.");
        }
        stop.run();
        for (SourceTable table : all.values()) {
            Recopy.request(pool, targetDialect, table, topics.table(table.id()));
        }
        LOG.infof("Recopy of all %d table(s) requested; restarting to copy them", all.size());
        start.run();
    }

    private final Set<TableId> recopying = ConcurrentHashMap.newKeySet();

    /**
     * Copies a table the backfill paused again (on its own thread, while the others stream) and then
     * lets apply resume it; a row still refused pauses it again with the new error. Why it cannot
     * start, if it cannot.
     */
    Optional<String> copyPausedTableAgain(TableId table) {
        BringUpPlan last = plan.get();
        PreflightReport report = last == null ? null : last.report();
        Optional<String> loss = report == null ? Optional.empty() : report.unacceptedLoss(table);
        if (loss.isPresent()) {
            return loss; // a copy now would store the loss that was not accepted
        }
        Backfill fill = backfill.get();
        if (fill == null) {
            return Optional.of("The pipeline is not running: restart Greenlight, which copies " + table + " again.");
        }
        if (!recopying.add(table)) {
            return Optional.of("Table " + table + " is being copied again already; GET /status shows when it streams "
                    + "(or why it paused again).");
        }
        Thread copy = new Thread(() -> {
            try {
                fill.recopy(table);
                pauses.copied(table);
            } catch (BackfillException e) {
                pauses.pauseCopy(table, e.getMessage());
                LOG.errorf("Backfill of %s paused again: %s", table, e.getMessage());
            } catch (Exception e) {
                pauses.pauseCopy(table, "Copying " + table + " again failed: " + e.getMessage()
                        + ". POST /tables/" + table + "/resume to try again, or restart Greenlight.");
                LOG.errorf(e, "Copying %s again failed", table);
            } finally {
                recopying.remove(table);
            }
        }, "greenlight-recopy");
        copy.start();
        return Optional.empty();
    }

    private final Set<TableId> created = ConcurrentHashMap.newKeySet();

    /**
     * A table created on the source in a migrated schema (capture saw its CREATE TABLE): recorded on the target
     * as a table to copy, then the pipeline restarts, which adds it to the publication, creates it on the target,
     * copies it at a fresh snapshot and streams it from there (apply skips what the copy holds).
     */
    void tableCreated(TableId table) {
        if (!created.add(table)) {
            return;
        }
        Thread restart = new Thread(() -> {
            try {
                Optional<SourceTable> model;
                try (Connection connection = ends.source().getConnection()) {
                    model = new SourceCatalog(connection).table(table);
                }
                if (model.isEmpty()) {
                    LOG.infof("Table %s was created on the source and is gone again; nothing to migrate", table);
                    return;
                }
                LOG.infof("Table %s was created on the source in a migrated schema: restarting to capture it, copy it and "
                        + "stream it", table);
                SourceTable sized;
                try (Connection sourceConnection = ends.source().getConnection(); Connection targetConnection = ends.target().getConnection()) {
                    sized = TargetTables.sized(sourceConnection, targetConnection, ends.dialect(), Map.of(table, model.get())).get(table);
                    TargetTables.create(targetConnection, ends.dialect(), List.of(sized));
                }
                Recopy.request(ends.target(), ends.dialect(), sized, topics.table(table));
                start.run();
            } catch (Exception e) {
                failures.failed("capture", e, "Table " + table + " was created on the source but could not be added; restart Greenlight "
                        + "to capture it.");
            } finally {
                created.remove(table);
            }
        }, "greenlight-new-table");
        restart.start();
    }

    /**
     * A captured table renamed on the source in a migrated schema: stopped, forgotten under its old name (target
     * table, positions, model; see {@link io.greenlight.backfill.RenamedTable}) and copied under the new one.
     */
    void tableRenamed(TableId from, TableId to) {
        SourceTable old = planned().get(from);
        if (old == null || !created.add(to)) {
            return;
        }
        new Thread(() -> {
            try {
                stop.run();
                io.greenlight.backfill.RenamedTable.forget(ends.target(), ends.dialect(), old, topics.table(from));
                LOG.infof("Table %s was renamed to %s on the source: its target table and positions are dropped; it is "
                        + "copied under its new name", from, to);
            } catch (Exception e) {
                failures.failed("capture", e, "Table " + from + " was renamed to " + to + " on the source but could not be "
                        + "followed; restart Greenlight, which copies " + to + ", and drop the target's table " + from + ".");
                return;
            } finally {
                created.remove(to);
            }
            tableCreated(to);
        }, "greenlight-renamed-table").start();
    }
}
