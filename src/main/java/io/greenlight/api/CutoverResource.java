package io.greenlight.api;

import io.greenlight.cutover.CutoverOptions;
import io.greenlight.cutover.CutoverRecord;
import io.greenlight.cutover.CutoverService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** POST /cutover arms a cutover (or, with dryRun, only runs its guardrails); GET shows the latest; DELETE aborts it before the fence. */
@Path("/cutover")
@Produces(MediaType.APPLICATION_JSON)
public class CutoverResource {

    private final CutoverService cutover;

    public CutoverResource(CutoverService cutover) {
        this.cutover = cutover;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(CutoverOptions options) throws InterruptedException {
        CutoverOptions requested = options != null ? options : CutoverOptions.none();
        List<String> problems = requested.problems();
        if (!problems.isEmpty()) {
            return ErrorMappers.json(400, "Bad Request", String.join("; ", problems));
        }
        if (Boolean.TRUE.equals(requested.dryRun())) {
            return Response.ok(cutover.dryRun(requested)).build();
        }
        return Response.accepted(cutover.start(requested).redacted()).build();
    }

    /** Unauthenticated: the webhook URL shows without user-info or query string. On a standby: the leader's, as persisted. */
    @GET
    public Response get() {
        return cutover.shown().map(r -> Response.ok(r.redacted()).build())
                .orElseGet(() -> ErrorMappers.json(404, "Not Found", "No cutover has been requested. POST /cutover to arm one."));
    }

    @DELETE
    public CutoverRecord abort() {
        return cutover.abort().redacted();
    }

    @DELETE
    @Path("/postpone")
    public CutoverRecord releasePostpone() {
        return cutover.releasePostpone().redacted();
    }
}
