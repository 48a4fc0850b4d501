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
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public ApiClient(String baseUrl, Optional<String> token) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.token = token;
    }

    /** A 2xx answer, or the error answer when {@code accept} lists its status; else an {@link ApiException}. */
    public Response call(String method, String path, JsonNode body, int... accept) throws ApiException {
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
