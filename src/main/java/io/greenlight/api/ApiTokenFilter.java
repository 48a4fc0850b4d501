package io.greenlight.api;

import io.greenlight.config.GreenlightConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * Mutating endpoints need {@code Authorization: Bearer <greenlight.api.token>}; reads do not.
 * Without a configured token, mutating endpoints are disabled rather than open.
 */
public class ApiTokenFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final Optional<String> token;

    public ApiTokenFilter(GreenlightConfig config) {
        this.token = config.api().token().filter(t -> !t.isBlank());
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authorize(ContainerRequestContext request) {
        if (READS.contains(request.getMethod()) || request.getUriInfo().getPath().startsWith("/q/")) {
            return Optional.empty();
        }
        if (token.isEmpty()) {
            return Optional.of(ErrorMappers.json(403, "Forbidden", "greenlight.api.token is not set, so endpoints that change "
                    + "state are disabled. Set it (or GREENLIGHT_API_TOKEN) and send Authorization: Bearer <token>."));
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(Response.fromResponse(ErrorMappers.json(401, "Unauthorized",
                            "Missing or wrong bearer token: send Authorization: Bearer <greenlight.api.token>."))
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build());
        }
        return Optional.empty();
    }
}
