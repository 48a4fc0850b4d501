package io.greenlight.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.greenlight.cutover.CutoverConflictException;
import io.greenlight.cutover.CutoverRecord;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error, including unknown routes and bad bodies, answers as JSON {error, detail}. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() == 400) {
            // A body the JSON reader gave up on (e.g. cut short) arrives wrapped: say what was wrong with it.
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof JsonProcessingException json) {
                    return badJson(json);
                }
            }
            if (e.getMessage() == null || e.getMessage().startsWith("HTTP 400")) {
                return json(400, "Bad Request", "The request body is not valid JSON for this endpoint.");
            }
        }
        return json(status.getStatusCode(), status.getReasonPhrase(), e.getMessage());
    }

    /** A cutover already exists: 409 with the existing record, so the caller sees what is going on. */
    @ServerExceptionMapper
    public Response conflict(CutoverConflictException e) {
        if (e.existing() == null) {
            return json(409, "Conflict", e.getMessage());
        }
        return Response.status(409).type(MediaType.APPLICATION_JSON)
                .entity(new CutoverConflict("Conflict", e.getMessage(), e.existing())).build();
    }

    /** Malformed JSON, unknown fields, wrong types: the body is the client's mistake. */
    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class, JsonParseException.class})
    public Response badJson(JsonProcessingException e) {
        return json(400, "Bad Request", "The request body is not valid: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response notReady(IllegalStateException e) {
        return json(503, "Service Unavailable", e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Request failed", e);
        return json(500, "Internal Server Error", e.getMessage());
    }

    public record CutoverConflict(String error, String detail, CutoverRecord cutover) {
    }

    static Response json(int status, String error, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(error, detail)).build();
    }
}
