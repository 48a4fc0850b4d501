package io.greenlight.api;

import io.greenlight.apply.TablePauses;
import io.greenlight.schema.TableId;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Optional;

/**
 * POST /tables/{schema.table}/resume: apply of a paused table retries from the change it stopped
 * at; a table the backfill paused is first copied again, whole, at a fresh snapshot.
 * POST /tables/{schema.table}/recopy: the table is copied again at a fresh snapshot (the pipeline
 * restarts for it), e.g. after Kafka lost changes apply had not read.
 */
@Path("/tables")
@Produces(MediaType.APPLICATION_JSON)
public class TablesResource {

    /** 202 body: the table, that a resume was asked for, and the error it had been paused with. */
    public record Resumed(String table, String state, String pausedWith) {
    }

    private final TableControl pipeline;
    private final TablePauses pauses;

    public TablesResource(TableControl pipeline, TablePauses pauses) {
        this.pipeline = pipeline;
        this.pauses = pauses;
    }

    /** 202 body of a recopy: the table and that it is being copied again. */
    public record Recopying(String table, String state) {
    }

    @POST
    @Path("/{table}/recopy")
    public Response recopy(@PathParam("table") String name) throws java.sql.SQLException {
        Optional<TableId> table = replicated(name);
        if (table.isEmpty()) {
            return notReplicated(name);
        }
        try {
            pipeline.recopy(table.get());
        } catch (IllegalStateException e) {
            return ErrorMappers.json(409, "Conflict", e.getMessage());
        }
        return Response.accepted(new Recopying(name, "RECOPYING")).type(MediaType.APPLICATION_JSON).build();
    }

    /** Every table copied again: the remedy when capture's offsets were lost with unapplied changes. */
    @POST
    @Path("/recopy")
    public Response recopyAll() throws java.sql.SQLException {
        try {
            pipeline.recopyAll();
        } catch (IllegalStateException e) {
            return ErrorMappers.json(409, "Conflict", e.getMessage());
        }
        return Response.accepted(new Recopying("*", "RECOPYING")).type(MediaType.APPLICATION_JSON).build();
    }

    private Optional<TableId> replicated(String name) {
        return pipeline.applicationTables().stream().filter(t -> t.toString().equals(name)).findFirst();
    }

    private Response notReplicated(String name) {
        return ErrorMappers.json(404, "Not Found", "No replicated table '" + name + "'. Greenlight replicates: "
                + String.join(", ", pipeline.applicationTables().stream().map(TableId::toString).toList()) + ".");
    }

    @POST
    @Path("/{table}/resume")
    public Response resume(@PathParam("table") String name) {
        Optional<TableId> table = replicated(name);
        if (table.isEmpty()) {
            return notReplicated(name);
        }
        Optional<TablePauses.Pause> pause = pauses.get(table.get());
        if (pause.isPresent() && pause.get().copyIncomplete()) {
            Optional<String> refused = pipeline.copyPausedTableAgain(table.get());
            if (refused.isPresent()) {
                return ErrorMappers.json(409, "Conflict", refused.get());
            }
            return Response.accepted(new Resumed(name, "COPYING", pause.get().error())).type(MediaType.APPLICATION_JSON).build();
        }
        if (pause.isEmpty() || !pauses.requestResume(table.get())) {
            return ErrorMappers.json(409, "Conflict", "Table " + name + " is not paused; apply of it is running. "
                    + "GET /status shows each table's state.");
        }
        return Response.accepted(new Resumed(name, "RESUMING", pause.get().error())).type(MediaType.APPLICATION_JSON).build();
    }
}
