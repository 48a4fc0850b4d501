package io.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One CLI invocation's connection and output: on a terminal the progress is redrawn in place; otherwise
 * (a pipe, a Job's log) each new fact is one plain line; with --json each answer is one JSON line.
 */
public class Session {

    static final Set<String> CUTOVER_TERMINAL = Set.of("COMPLETED", "FAILED", "ABORTED");

    final ApiClient api;
    final PrintWriter out;
    final PrintWriter err;
    final boolean tty;
    final boolean json;
    final Duration interval;
    private final ProgressView view = new ProgressView();
    private int drawn;
    private String lastPhase;
    private int transitionsPrinted;
    private String lastVerifyState;
    private long lastSummaryNanos;

    Session(ApiClient api, PrintWriter out, PrintWriter err, boolean tty, boolean json, Duration interval) {
        this.api = api;
        this.out = out;
        this.err = err;
        this.tty = tty && !json;
        this.json = json;
        this.interval = interval;
    }

    JsonNode status() throws ApiException {
        return api.get("/status").body();
    }

    /** The current cutover, or null when none was ever requested. */
    JsonNode cutover() throws ApiException {
        ApiClient.Response r = api.get("/cutover", 404);
        return r.status() == 404 ? null : r.body();
    }

    /** Shows one moment: redrawn in place on a terminal, as new plain lines otherwise, as a JSON line with --json. */
    void show(JsonNode status, JsonNode cutover, JsonNode verification) {
        long now = System.nanoTime();
        if (json) {
            var line = ApiClient.JSON.createObjectNode();
            line.put("at", Instant.now().toString());
            if (status != null) {
                line.set("status", status);
            }
            if (cutover != null) {
                line.set("cutover", cutover);
            }
            if (verification != null) {
                line.set("verification", verification);
            }
            out.println(line);
        } else if (tty) {
            List<String> lines = view.lines(status, cutover, verification, now);
            StringBuilder frame = new StringBuilder();
            if (drawn > 0) {
                frame.append("\033[").append(drawn).append("F"); // to the first line drawn last time
            }
            for (String line : lines) {
                frame.append("\033[2K").append(line).append('\n');
            }
            for (int i = lines.size(); i < drawn; i++) {
                frame.append("\033[2K\n");
            }
            out.print(frame);
            drawn = Math.max(drawn, lines.size());
        } else {
            plainEvents(status, cutover, verification, now);
        }
        out.flush();
    }

    /** Non-TTY: a line per phase change, cutover transition and verification state, and a summary every 30 s. */
    private void plainEvents(JsonNode status, JsonNode cutover, JsonNode verification, long now) {
        List<String> summary = status == null ? List.of() : view.lines(status, null, null, now);
        if (status != null && !status.path("phase").asText().equals(lastPhase)) {
            lastPhase = status.path("phase").asText();
            summary.forEach(out::println);
            lastSummaryNanos = now;
        } else if (status != null && now - lastSummaryNanos >= Duration.ofSeconds(30).toNanos()) {
            summary.stream().limit(1 + status.path("backfill").size()).forEach(out::println);
            lastSummaryNanos = now;
        }
        if (cutover != null) {
            JsonNode transitions = cutover.path("transitions");
            if (transitions.size() < transitionsPrinted) {
                transitionsPrinted = 0; // a new cutover
            }
            for (int i = transitionsPrinted; i < transitions.size(); i++) {
                out.println("cutover " + ProgressView.transitionLine(transitions.get(i)));
            }
            transitionsPrinted = transitions.size();
        }
        if (verification != null && !verification.path("state").asText().equals(lastVerifyState)) {
            lastVerifyState = verification.path("state").asText();
            out.println(ProgressView.verifyLine(verification));
        }
    }

    /** Follows the cutover until it ends or the timeout passes; the exit code of its outcome. */
    int followCutover(Duration timeout) throws ApiException, InterruptedException {
        long deadline = deadline(timeout);
        while (true) {
            JsonNode cutover = cutover();
            show(safeStatus(), cutover, null);
            String state = cutover == null ? null : cutover.path("state").asText();
            if (state != null && CUTOVER_TERMINAL.contains(state)) {
                if (!json) {
                    out.println(ProgressView.outcome(cutover));
                    out.flush();
                }
                return switch (state) {
                    case "COMPLETED" -> ExitCode.OK;
                    case "ABORTED" -> ExitCode.ABORTED;
                    default -> ExitCode.FAILED;
                };
            }
            if (System.nanoTime() > deadline) {
                return timedOut("the cutover is " + (state == null ? "not requested" : state) + "; it goes on on the server."
                        + " Follow it with: greenlight watch --until cutover");
            }
            Thread.sleep(interval.toMillis());
        }
    }

    /**
     * Follows a rollback until ROLLED_BACK (0), or COMPLETED again because it failed before anything
     * was switched back (1), or the timeout (3; a rollback stuck in ROLLING_BACK says why in its note).
     */
    int followRollback(Duration timeout) throws ApiException, InterruptedException {
        long deadline = deadline(timeout);
        while (true) {
            JsonNode cutover = cutover();
            show(safeStatus(), cutover, null);
            String state = cutover == null ? null : cutover.path("state").asText();
            boolean failed = "COMPLETED".equals(state) && ProgressView.lastNote(cutover).startsWith("rollback failed");
            if ("ROLLED_BACK".equals(state) || failed) {
                if (!json) {
                    out.println(ProgressView.rollbackOutcome(cutover));
                    out.flush();
                }
                return failed ? ExitCode.FAILED : ExitCode.OK;
            }
            if (System.nanoTime() > deadline) {
                return timedOut("the rollback is " + state + ": " + ProgressView.lastNote(cutover)
                        + ". It goes on on the server; follow it with: greenlight watch --until cutover");
            }
            Thread.sleep(interval.toMillis());
        }
    }

    /** Follows a verification until PASSED (0), FAILED, ERROR, TIMED_OUT or INTERRUPTED (1), or the timeout (3). */
    int followVerification(String id, Duration timeout) throws ApiException, InterruptedException {
        long deadline = deadline(timeout);
        while (true) {
            JsonNode report = api.get("/verify/" + id).body();
            show(null, null, report);
            String state = report.path("state").asText();
            if (state.equals("PASSED")) {
                return ExitCode.OK;
            }
            if (state.matches("FAILED|ERROR|TIMED_OUT|INTERRUPTED")) {
                if (!json) {
                    out.println("Verification " + id + " " + state + ". Details: GET /verify/" + id
                            + (report.hasNonNull("stopReason") ? ". " + report.path("stopReason").asText() : ""));
                    out.flush();
                }
                return ExitCode.FAILED;
            }
            if (System.nanoTime() > deadline) {
                return timedOut("verification " + id + " is " + state + "; it goes on on the server (GET /verify/" + id + ").");
            }
            Thread.sleep(interval.toMillis());
        }
    }

    /** /status, or null when only the cutover can be read (the status failing must not stop a follow). */
    JsonNode safeStatus() {
        try {
            return status();
        } catch (ApiException e) {
            return null;
        }
    }

    int timedOut(String what) {
        err.println("Timed out: " + what);
        err.flush();
        return ExitCode.TIMEOUT;
    }

    static long deadline(Duration timeout) {
        return timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    }
}
