package io.greenlight.api;

import io.greenlight.dialect.PreflightReport;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** GET /preflight: every source column, its target type, and the lossy cases (accepted or refusing start). */
@Path("/preflight")
@Produces(MediaType.APPLICATION_JSON)
public class PreflightResource {

    private final PipelineStatus pipeline;

    public PreflightResource(PipelineStatus pipeline) {
        this.pipeline = pipeline;
    }

    @GET
    public Response preflight() {
        return pipeline.preflight().map(report -> Response.ok(report).build())
                .orElseGet(() -> ErrorMappers.json(503, "Service Unavailable",
                        "The type-mapping report is not ready: Greenlight has not read the source and target yet. "
                                + "See GET /status for the phase or the failure."));
    }
}
