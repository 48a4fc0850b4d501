package io.greenlight.cutover;

import io.greenlight.apply.TablePauses;
import io.greenlight.lag.LagTracker;
import io.greenlight.schema.TableId;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks a cutover passes before anything is fenced (and all that {@code "dryRun": true} does):
 * the pipeline runs, lag, paused tables, source transactions the fence would not end, the fence
 * would hold (tried inside a rolled-back transaction), the target takes writes, and each switch
 * action can run. Each check answers with what it saw, and on failure the next step.
 */
public final class Guardrails {

    /** One check's outcome. */
    public record Check(String name, boolean passed, String detail) {
    }

    /** Write transactions the fence will not end (roles not fenced) and prepared transactions: they commit after the marker. */
    private static final String OPEN_WRITES = """
            SELECT 'pid ' || pid || ' (user ' || usename || ', application ' || coalesce(nullif(application_name, ''), '-')
                   || ') holds a write transaction open for ' || round(extract(epoch FROM clock_timestamp() - xact_start)) || ' s: '
                   || left(regexp_replace(coalesce(query, ''), '\\s+', ' ', 'g'), 80)
              FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
               AND backend_xid IS NOT NULL AND xact_start < clock_timestamp() - interval '5 seconds'
               AND coalesce(application_name, '') NOT LIKE 'greenlight%' AND coalesce(application_name, '') NOT LIKE 'Debezium%'
               AND (? OR cardinality(?::text[]) > 0 AND NOT usename = ANY(?::text[]))
            UNION ALL
            SELECT 'prepared transaction ' || quote_literal(gid) || ' (owner ' || owner || ', prepared ' || prepared
                   || ') commits whenever COMMIT PREPARED runs, after the fence'
              FROM pg_prepared_xacts WHERE database = current_database()
            """;

    private final DataPath pipeline;
    private final LagTracker lag;
    private final TablePauses pauses;
    private final SwitchActions switchActions;

    Guardrails(DataPath pipeline, LagTracker lag, TablePauses pauses, SwitchActions switchActions) {
        this.pipeline = pipeline;
        this.lag = lag;
        this.pauses = pauses;
        this.switchActions = switchActions;
    }

    /**
     * Every check. {@code dryRun} adds the pipeline and lag checks: a real cutover waits for lag
     * instead (which only comes down while the pipeline runs).
     */
    List<Check> run(CutoverOptions options, boolean dryRun) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        if (dryRun) {
            boolean running = pipeline.captureRunning() && pipeline.applyRunning();
            checks.add(new Check("pipeline", running, running ? "capture and apply are running"
                    : "capture or apply is not running; see GET /status and fix that first"));
            double current = lag.endToEndSeconds();
            checks.add(new Check("lag", current <= options.maxLagSeconds(), "cdc_lag_seconds is " + current
                    + " (maxLagSeconds " + options.maxLagSeconds() + ")"));
        }
        checks.add(pausedTables());
        checks.add(sourceTransactions(options.fence()));
        checks.add(fenceHolds(options.fence()));
        checks.add(targetWritable());
        checks.add(switchActions(options.actions()));
        return checks;
    }

    /** The failed checks as one sentence, or null when all passed. */
    static String failures(List<Check> checks) {
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
        return failed.isEmpty() ? null : String.join("; ", failed);
    }

    Check pausedTables() {
        List<String> paused = pipeline.applicationTables().stream().filter(pauses::isPaused).map(TableId::toString).toList();
        return new Check("pausedTables", paused.isEmpty(), paused.isEmpty() ? "no table is paused"
                : "apply of " + paused + " is paused: the drain would never reach them. Fix and POST /tables/{table}/resume");
    }

    Check sourceTransactions(CutoverOptions.Fence fence) {
        try (Connection c = source().getConnection(); PreparedStatement ps = c.prepareStatement(OPEN_WRITES)) {
            Array roles = c.createArrayOf("text", fence.roles().toArray());
            ps.setBoolean(1, fence.mode() == CutoverOptions.FenceMode.NONE); // NONE ends no session
            ps.setArray(2, roles);
            ps.setArray(3, roles);
            List<String> open = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    open.add(rs.getString(1));
                }
            }
            return new Check("sourceTransactions", open.isEmpty(), open.isEmpty()
                    ? "no write transaction the fence would leave open"
                    : String.join("; ", open) + ". Its changes would commit after the drain marker and be missed: end it "
                    + "(SELECT pg_terminate_backend(pid); COMMIT/ROLLBACK PREPARED), or name its role in fence.roles");
        } catch (SQLException e) {
            return new Check("sourceTransactions", false, "cannot read pg_stat_activity on the source: " + e.getMessage());
        }
    }

    /** Raises the fence inside a transaction, lists how the fenced roles could still write, and rolls back. */
    Check fenceHolds(CutoverOptions.Fence fence) {
        if (fence.mode() == CutoverOptions.FenceMode.NONE) {
            return new Check("fence", true, "NONE, acknowledged: the application's writes are stopped by the operator");
        }
        List<TableId> tables = pipeline.applicationTables();
        try (Connection c = source().getConnection()) {
            c.setAutoCommit(false);
            try {
                SourceFence probe = new SourceFence(c);
                probe.raise(fence, tables);
                List<String> leaks = probe.leaks(fence, tables);
                return new Check("fence", leaks.isEmpty(), leaks.isEmpty()
                        ? fence.mode() + " would hold for " + (fence.roles().isEmpty() ? "every role" : fence.roles())
                        : String.join("; ", leaks));
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            return new Check("fence", false, "cannot try the fence on the source (" + e.getMessage()
                    + "): Greenlight's user needs to own the tables (REVOKE) or the database (READ_ONLY)");
        }
    }

    Check targetWritable() {
        DataSource target = pipeline.targetPool().orElse(null);
        if (target == null) {
            return new Check("targetWritable", false, "the target has not been reached yet");
        }
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // A read-only server or session refuses even an update of no row.
                st.executeUpdate("UPDATE greenlight_cutover SET state = state WHERE id = 'greenlight-guardrail'");
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
            return new Check("targetWritable", true, "the target accepts writes");
        } catch (SQLException e) {
            return new Check("targetWritable", false, "the target refuses writes (" + e.getMessage()
                    + "): after the switch the application could not write. Make it writable (read_only=OFF, not a replica)");
        }
    }

    Check switchActions(CutoverOptions.Actions actions) throws InterruptedException {
        try {
            List<String> passed = switchActions.check(actions);
            return new Check("switchActions", true, passed.isEmpty() ? "no switch action configured" : String.join("; ", passed));
        } catch (RuntimeException e) {
            return new Check("switchActions", false, e.getMessage());
        }
    }

    private DataSource source() throws SQLException {
        return pipeline.sourcePool().orElseThrow(() -> new SQLException("the source has not been reached yet"));
    }
}
