package io.greenlight.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.capture.SourceCleanup;
import io.greenlight.cutover.CutoverRecord;
import io.greenlight.cutover.CutoverService;
import io.greenlight.cutover.CutoverState;
import io.greenlight.cutover.DataPath;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.sql.SQLException;
import java.util.Optional;

/** POST /source/cleanup: after a completed cutover, remove Greenlight's slot and publication from the source. */
@Path("/source")
@Produces(MediaType.APPLICATION_JSON)
public class SourceResource {

    /** {@code force}: clean up although no cutover completed (the migration is abandoned). */
    public record CleanupRequest(Boolean force) {
    }

    public record CleanupResponse(boolean forced, String cutoverState, SourceCleanup.Result result) {
    }

    private final DataPath pipeline;
    private final CutoverService cutover;
    private final ObjectMapper json;

    public SourceResource(DataPath pipeline, CutoverService cutover, ObjectMapper json) {
        this.pipeline = pipeline;
        this.cutover = cutover;
        this.json = json;
    }

    @POST
    @Path("/cleanup")
    public Response cleanup(String body) throws JsonProcessingException, SQLException, InterruptedException {
        CleanupRequest request = body == null || body.isBlank() ? new CleanupRequest(false) : json.readValue(body, CleanupRequest.class);
        boolean force = Boolean.TRUE.equals(request.force());
        Optional<CutoverState> state = cutover.current().map(CutoverRecord::state);
        if (!force && state.filter(s -> s == CutoverState.COMPLETED).isEmpty()) {
            return ErrorMappers.json(409, "Conflict", "The cutover is " + state.map(Enum::name).orElse("not requested")
                    + ", not COMPLETED: dropping the replication slot now would lose every change Greenlight has not "
                    + "captured yet, and capture could not resume. Complete the cutover first (POST /cutover), or send "
                    + "{\"force\": true} to abandon the migration.");
        }
        return Response.ok(new CleanupResponse(force, state.map(Enum::name).orElse(null), pipeline.cleanupSource())).build();
    }
}
