package io.greenlight.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Greenlight as users run it: the packaged jar in its own JVM, configured by environment
 * variables, so tests can kill it without a clean shutdown and start it again.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private ServiceProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    public static ServiceProcess start(Map<String, String> env, Path log) throws IOException {
        String jar = System.getProperty("greenlight.app.jar", "target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(Path.of(jar))) {
            throw new IllegalStateException(jar + " is missing: integration tests run after `mvn package` (use mvn verify)");
        }
        int port = PostgresServer.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dquarkus.http.port=" + port, "-jar", jar));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return new ServiceProcess(builder.start(), log, port);
    }

    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    /** A request with an optional bearer token and JSON body; returns status code and body. */
    public HttpResponse<String> send(String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The phase from GET /status, or "UNREACHABLE" while the HTTP server is not up. */
    public String phase() {
        try {
            String body = get("/status");
            int at = body.indexOf("\"phase\":\"");
            return at < 0 ? "UNKNOWN" : body.substring(at + 9, body.indexOf('"', at + 9));
        } catch (IOException | InterruptedException e) {
            return "UNREACHABLE";
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Greenlight did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hooks, no flushing — a crashed pod. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGSTOP: the process freezes with its connections open, as a paused VM or a long GC pause looks. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: the frozen process carries on where it stopped. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** A number at a JSON path of GET /status such as {@code lag.endToEndSeconds}; NaN while unreachable. */
    public double statusNumber(String field) {
        try {
            String body = get("/status");
            int at = body.indexOf("\"" + field + "\":");
            if (at < 0) {
                return Double.NaN;
            }
            int start = at + field.length() + 3;
            int end = start;
            while (end < body.length() && "-0123456789.Ee".indexOf(body.charAt(end)) >= 0) {
                end++;
            }
            return Double.parseDouble(body.substring(start, end));
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The role this instance reports in GET /status (LEADER, STANDBY, ...), or "UNREACHABLE". */
    public String role() {
        try {
            String body = get("/status");
            int at = body.indexOf("\"role\":\"");
            return at < 0 ? "UNKNOWN" : body.substring(at + 8, body.indexOf('"', at + 8));
        } catch (IOException | InterruptedException e) {
            return "UNREACHABLE";
        }
    }

    /** SIGTERM: what Kubernetes sends before it stops a pod. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
