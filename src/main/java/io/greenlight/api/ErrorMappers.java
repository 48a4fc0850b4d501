package io.greenlight.api;

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
        return json(status.getStatusCode(), status.getReasonPhrase(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Request failed", e);
        return json(500, "Internal Server Error", e.getMessage());
    }

    static Response json(int status, String error, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(error, detail)).build();
    }
}
