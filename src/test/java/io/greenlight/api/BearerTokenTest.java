package io.greenlight.api;

import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BearerTokenTest {

    private static int status(Optional<String> configured, String header) {
        return BearerToken.reject(configured, header).map(Response::getStatus).orElse(200);
    }

    @Test
    void noConfiguredTokenKeepsTheEndpointClosedAndSaysWhichKey() {
        Response r = BearerToken.reject(Optional.empty(), "Bearer anything").orElseThrow();
        assertEquals(403, r.getStatus());
        assertTrue(((ErrorBody) r.getEntity()).detail().contains("greenlight.api.token is not set"));
        assertEquals(403, status(Optional.of(" "), "Bearer  "));
    }

    @Test
    void missingOrWrongTokenIs401AndTheRightOneIsAccepted() {
        assertEquals(401, status(Optional.of("s3cret"), null));
        assertEquals(401, status(Optional.of("s3cret"), "Basic czNjcmV0"));
        assertEquals(401, status(Optional.of("s3cret"), "Bearer s3cre"));
        assertEquals(401, status(Optional.of("s3cret"), "Bearer s3cret-and-more"));
        assertEquals(200, status(Optional.of("s3cret"), "Bearer s3cret"));
        assertEquals(200, status(Optional.of("s3cret"), "bearer s3cret"));
    }
}
