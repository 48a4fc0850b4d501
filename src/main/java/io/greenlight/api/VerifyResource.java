package io.greenlight.api;

import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.cutover.DataPath;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.verify.RowVerifier;
import io.greenlight.verify.TableVerdict;
import io.greenlight.verify.VerificationRuns;
import io.greenlight.verify.VerifyOptions;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** POST /verify starts a verification in the background (202 + id); GET /verify/{id} reports it. */
@Path("/verify")
@Produces(MediaType.APPLICATION_JSON)
public class VerifyResource {

    /** Optional body: schema.table names (default: every application table) and rows per chunk. */
    public record VerifyRequest(List<String> tables, Integer chunkSize) {
    }

    public record Progress(int tablesTotal, int tablesDone, long rowsCompared, long rowsPerSecond, double elapsedSeconds) {
    }

    public record Result(boolean matches, long mismatchedRows, String summary, List<TableVerdict> tables) {
    }

    public record Report(String id, String state, List<String> tables, int chunkSize, Instant createdAt,
                         Instant finishedAt, Progress progress, Result result, String error) {
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
        VerifyRequest options = request != null ? request : new VerifyRequest(null, null);
        VerifyOptions verifyOptions = verifier.options();
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
            Map<String, String> body = new LinkedHashMap<>();
            body.put("error", "Conflict");
            body.put("detail", e.getMessage());
            body.put("id", e.id());
            return Response.status(409).type(MediaType.APPLICATION_JSON).entity(body).build();
        }
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return runs.get(id).map(run -> Response.ok(report(run)).build())
                .orElseGet(() -> ErrorMappers.json(404, "Not Found", "No verification " + id + " (ids are kept in memory "
                        + "until the service restarts); start one with POST /verify."));
    }

    private static Report report(VerificationRuns.Run run) {
        var p = run.progress();
        Progress progress = new Progress(p.tablesTotal() == 0 ? run.tables().size() : p.tablesTotal(), p.tablesDone(),
                p.rowsCompared(), p.rowsPerSecond(), Math.round(p.elapsedSeconds() * 10) / 10.0);
        Result result = run.result().map(r -> new Result(r.matches(), r.mismatchedRows(), r.summary(), r.tables())).orElse(null);
        return new Report(run.id(), run.state().name(), run.tables(), run.options().chunkSize(), run.createdAt(),
                run.finishedAt().orElse(null), progress, result, run.error().orElse(null));
    }
}
