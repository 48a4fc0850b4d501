package io.greenlight.api;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <greenlight.api.token>} in constant time. No configured
 * token means the endpoint stays closed (403), never open.
 */
public final class BearerToken {

    private BearerToken() {
    }

    /** The response refusing the request, or empty when the token is right. */
    public static Optional<Response> reject(Optional<String> configured, String authorization) {
        if (configured.isEmpty() || configured.get().isBlank()) {
            return Optional.of(ErrorMappers.json(403, "Forbidden", "greenlight.api.token is not set, so this endpoint is "
                    + "disabled. Set it (or GREENLIGHT_API_TOKEN) and send it as Authorization: Bearer <token>."));
        }
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return Optional.of(unauthorized("Missing bearer token: send Authorization: Bearer <greenlight.api.token>."));
        }
        byte[] given = sha256(authorization.substring(prefix.length()).trim());
        if (!MessageDigest.isEqual(given, sha256(configured.get()))) {
            return Optional.of(unauthorized("Wrong bearer token: it does not match greenlight.api.token."));
        }
        return Optional.empty();
    }

    private static Response unauthorized(String detail) {
        Response r = ErrorMappers.json(401, "Unauthorized", detail);
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    /** Hashing first makes the comparison independent of the tokens' lengths. */
    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
