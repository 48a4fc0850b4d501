package io.greenlight.api;

import io.greenlight.cutover.CutoverRecord;
import io.greenlight.cutover.CutoverService;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.sql.SQLException;

/**
 * The verbs after a switch: POST /rollback (switch back to the source, losing nothing: 202 with
 * the cutover, which goes ROLLING_BACK → ROLLED_BACK; GET /cutover follows it) and POST /complete
 * (end the migration: stop reverse replication, remove Greenlight's objects; 200 with the record).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class LifecycleResource {

    private final CutoverService cutover;

    public LifecycleResource(CutoverService cutover) {
        this.cutover = cutover;
    }

    @POST
    @Path("rollback")
    public Response rollback() {
        CutoverRecord record = cutover.rollback();
        return Response.accepted(record.redacted()).build();
    }

    @POST
    @Path("complete")
    public CutoverRecord complete() throws SQLException, InterruptedException {
        return cutover.complete().redacted();
    }
}
