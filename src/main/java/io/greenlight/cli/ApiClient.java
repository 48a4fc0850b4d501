package io.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Greenlight's REST API over HTTP, with the bearer token when one is configured. Never prints the token. */
public class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Optional<String> token;
    /** A standby answers 503 "Standby": behind a Service, a new connection may reach the leader. */
    private static final int STANDBY_RETRIES = 20;

    private HttpClient http = newClient();

    public ApiClient(String baseUrl, Optional<String> token) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.token = token;
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * A 2xx answer, or the error answer when {@code accept} lists its status; else an {@link ApiException}.
     * A standby's 503 is retried on a new connection (a Service balances connections over the pods)
     * for about 10 s before it is reported.
     */
    public Response call(String method, String path, JsonNode body, int... accept) throws ApiException {
        for (int attempt = 0; ; attempt++) {
            try {
                return callOnce(method, path, body, accept);
            } catch (ApiException e) {
                if (e.status() != 503 || !parse(e.body()).path("error").asText().equals("Standby") || attempt == STANDBY_RETRIES) {
                    throw e;
                }
                http = newClient();
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Response callOnce(String method, String path, JsonNode body, int... accept) throws ApiException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(Duration.ofSeconds(60)).header("Accept", "application/json");
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiException(0, "Cannot reach Greenlight at " + base + " (" + method + " " + path + "): connection refused."
                    + " Set --url or GREENLIGHT_URL to its address (in Kubernetes: the greenlight-admin Service).", null);
        } catch (IOException e) {
            throw new ApiException(0, "Cannot reach Greenlight at " + base + " (" + method + " " + path + "): " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "Interrupted while calling " + method + " " + path, null);
        }
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status / 100 == 2) {
            return new Response(status, json);
        }
        if (status == 503 && json.path("error").asText().equals("Standby")) {
            throw new ApiException(status, describe(method, path, status, json), response.body()); // retried by call
        }
        for (int ok : accept) {
            if (ok == status) {
                return new Response(status, json);
            }
        }
        throw new ApiException(status, describe(method, path, status, json), response.body());
    }

    public Response get(String path, int... accept) throws ApiException {
        return call("GET", path, null, accept);
    }

    private String describe(String method, String path, int status, JsonNode json) {
        String detail = json.path("detail").asText(json.path("error").asText(""));
        String message = method + " " + path + " answered " + status + (detail.isEmpty() ? "" : ": " + detail);
        if (status == 401) {
            message += token.isEmpty()
                    ? ". No API token given: set GREENLIGHT_API_TOKEN or --token-file to the value of greenlight.api.token."
                    : ". The API token was refused: check GREENLIGHT_API_TOKEN / --token-file against greenlight.api.token.";
        }
        return message;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("detail", body);
        }
    }

    public record Response(int status, JsonNode body) {
    }
}
