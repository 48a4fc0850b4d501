package io.greenlight.api;

import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.cutover.DataPath;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.verify.RowVerifier;
import io.greenlight.verify.TableVerdict;
import io.greenlight.verify.VerificationRuns;
import io.greenlight.verify.VerifyOptions;
import io.greenlight.verify.VerifyProgress;
import io.greenlight.verify.VerifyStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** POST /verify starts a verification in the background (202 + id); GET /verify/{id} reports it. */
@Path("/verify")
@Produces(MediaType.APPLICATION_JSON)
public class VerifyResource {

    /**
     * Optional body: schema.table names (default: every application table), rows per chunk, a time
     * bound in seconds; or {@code resume}: the id of a TIMED_OUT/INTERRUPTED verification to continue.
     */
    public record VerifyRequest(List<String> tables, Integer chunkSize, Double maxDurationSeconds, String resume) {
    }

    /**
     * {@code rowsTotal}: exact counts of the tables counted so far plus the source catalog's
     * estimates of the others (null while a table has neither); {@code etaSeconds}: the rows left at
     * this attempt's rate (null until known).
     */
    public record Progress(int tablesTotal, int tablesDone, long rowsCompared, Long rowsTotal, long rowsPerSecond,
                           double elapsedSeconds, Long etaSeconds, List<VerifyProgress.TableProgress> tables) {
    }

    public record Result(boolean matches, long mismatchedRows, String summary, List<TableVerdict> tables,
                         List<String> notCompared) {
    }

    public record Report(String id, String state, List<String> tables, int chunkSize, Long maxDurationSeconds,
                         int attempts, Instant createdAt, Instant finishedAt, Progress progress, Result result,
                         String stopReason, String error) {
    }

    private final DataPath pipeline;
    private final PipelineStatus status;
    private final VerificationRuns runs;
    private final RowVerifier verifier;

    public VerifyResource(DataPath pipeline, PipelineStatus status, VerificationRuns runs, RowVerifier verifier) {
        this.pipeline = pipeline;
        this.status = status;
        this.runs = runs;
        this.verifier = verifier;
    }

    @POST
    public Response start(VerifyRequest request) {
        // The bearer token is checked by ApiTokenFilter, as for every endpoint that changes state.
        VerifyRequest options = request != null ? request : new VerifyRequest(null, null, null, null);
        VerifyOptions verifyOptions = verifier.options();
        Duration bound = null;
        if (options.maxDurationSeconds() != null) {
            if (!(options.maxDurationSeconds() > 0)) {
                return ErrorMappers.json(400, "Bad Request", "maxDurationSeconds must be a positive number of seconds, got "
                        + options.maxDurationSeconds() + " (leave it out for no bound)");
            }
            bound = Duration.ofMillis(Math.round(options.maxDurationSeconds() * 1000));
            verifyOptions = verifyOptions.withMaxDuration(bound);
        }
        if (options.chunkSize() != null) {
            if (options.chunkSize() <= 0) {
                return ErrorMappers.json(400, "Bad Request", "chunkSize must be a positive number of rows, got " + options.chunkSize());
            }
            verifyOptions = verifyOptions.withChunkSize(options.chunkSize());
        }
        Optional<DataSource> source = pipeline.sourcePool();
        Optional<DataSource> target = pipeline.targetPool();
        Map<TableId, SourceTable> known = new LinkedHashMap<>(pipeline.tables());
        known.keySet().removeIf(id -> id.schema().equals(HeartbeatWriter.SCHEMA));
        if (source.isEmpty() || target.isEmpty() || known.isEmpty()) {
            return ErrorMappers.json(503, "Service Unavailable", "The pipeline is not connected to source and target yet "
                    + "(phase " + status.phase() + "); retry once GET /status shows it running.");
        }
        if (options.resume() != null) {
            if (options.tables() != null || options.chunkSize() != null) {
                return ErrorMappers.json(400, "Bad Request", "A resumed verification keeps its tables and chunkSize; send only "
                        + "\"resume\" (and maxDurationSeconds to bound this attempt).");
            }
            Map<String, SourceTable> byName = new LinkedHashMap<>();
            known.forEach((id, table) -> byName.put(id.toString(), table));
            try {
                VerificationRuns.Run run = runs.resume(source.get(), target.get(), options.resume().trim(), byName,
                        verifier.options(), bound);
                return Response.accepted(report(run)).type(MediaType.APPLICATION_JSON).build();
            } catch (VerificationRuns.AlreadyRunning e) {
                return conflict(e);
            } catch (VerificationRuns.NotResumable e) {
                return ErrorMappers.json(409, "Conflict", e.getMessage());
            } catch (SQLException e) {
                return ErrorMappers.json(503, "Service Unavailable", "Cannot read verification " + options.resume()
                        + " from the source's " + VerifyStore.TABLE + ": " + e.getMessage() + "; retry once the source answers.");
            }
        }
        List<SourceTable> tables = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        if (options.tables() == null || options.tables().isEmpty()) {
            tables.addAll(known.values());
        } else {
            for (String name : options.tables()) {
                SourceTable table = name == null ? null : known.get(name.contains(".")
                        ? TableId.parse(name.trim()) : new TableId("public", name.trim()));
                if (table == null) {
                    unknown.add(String.valueOf(name));
                } else if (!tables.contains(table)) {
                    tables.add(table);
                }
            }
        }
        if (!unknown.isEmpty()) {
            return ErrorMappers.json(400, "Bad Request", "Unknown table(s): " + String.join(", ", unknown)
                    + ". Greenlight replicates: " + String.join(", ", known.keySet().stream().map(TableId::toString).toList()) + ".");
        }
        try {
            VerificationRuns.Run run = runs.start(source.get(), target.get(), tables, verifyOptions);
            return Response.accepted(report(run)).type(MediaType.APPLICATION_JSON).build();
        } catch (VerificationRuns.AlreadyRunning e) {
            return conflict(e);
        }
    }

    private static Response conflict(VerificationRuns.AlreadyRunning e) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", "Conflict");
        body.put("detail", e.getMessage());
        body.put("id", e.id());
        return Response.status(409).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        Optional<DataSource> source = pipeline.sourcePool();
        try {
            return runs.get(source.orElse(null), id, verifier.options()).map(run -> Response.ok(report(run)).build())
                    .orElseGet(() -> source.isPresent()
                            ? ErrorMappers.json(404, "Not Found", "No verification " + id + " (the newest "
                                    + "verifications are kept on the source's " + VerifyStore.TABLE + "); start one with POST /verify.")
                            : ErrorMappers.json(503, "Service Unavailable", "Verification " + id + " is not in memory and the "
                                    + "source is not connected yet to look it up (phase " + status.phase() + "); retry shortly."));
        } catch (SQLException e) {
            return ErrorMappers.json(503, "Service Unavailable", "Cannot read verification " + id + " from the source's "
                    + VerifyStore.TABLE + ": " + e.getMessage() + "; retry once the source answers.");
        }
    }

    private static Report report(VerificationRuns.Run run) {
        var p = run.progress();
        OptionalLong total = p.rowsTotal();
        OptionalLong eta = p.etaSeconds();
        Progress progress = new Progress(p.tablesTotal() == 0 ? run.tables().size() : p.tablesTotal(), p.tablesDone(),
                p.rowsCompared(), total.isPresent() ? total.getAsLong() : null, p.rowsPerSecond(),
                Math.round(p.elapsedSeconds() * 10) / 10.0, eta.isPresent() ? eta.getAsLong() : null, p.perTable());
        Result result = run.result().map(r -> new Result(r.matches(), r.mismatchedRows(), r.summary(), r.tables(),
                r.notCompared())).orElse(null);
        return new Report(run.id(), run.state().name(), run.tables(), run.options().chunkSize(),
                run.options().bound().map(Duration::toSeconds).orElse(null), run.attempts(), run.createdAt(),
                run.finishedAt().orElse(null), progress, result, run.stopReason().orElse(null), run.error().orElse(null));
    }
}
