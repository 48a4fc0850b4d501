package io.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The operator's CLI for Greenlight's REST API: status, watch, verify, cutover, abort (and rollback,
 * complete where the server offers them). Run with scripts/greenlight. Exit codes: {@link ExitCode}.
 */
@Command(name = "greenlight", mixinStandardHelpOptions = true, version = "greenlight CLI 0.1.0",
        description = "Drive a Greenlight migration over its REST API.",
        subcommands = {GreenlightCli.Status.class, GreenlightCli.Watch.class, GreenlightCli.Verify.class,
                GreenlightCli.Cutover.class, GreenlightCli.Abort.class, GreenlightCli.Rollback.class, GreenlightCli.Complete.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done (cutover COMPLETED, verification PASSED)", "1:failed (cutover FAILED, verification FAILED or ERROR)",
                "2:cutover ABORTED", "3:timed out (--timeout)", "4:API unreachable or request refused", "5:not supported by this server",
                "64:usage error"})
public class GreenlightCli {

    @Option(names = "--url", description = "Greenlight's base URL (default: $GREENLIGHT_URL or http://localhost:8080)")
    String url;

    @Option(names = "--token-file", description = "File holding the API token (default: $GREENLIGHT_API_TOKEN, or $GREENLIGHT_API_TOKEN_FILE)")
    Path tokenFile;

    @Option(names = "--json", description = "Machine-readable output: one JSON object per line")
    boolean json;

    @Option(names = "--plain", description = "Plain lines even on a terminal")
    boolean plain;

    @Option(names = "--interval", defaultValue = "1", description = "Seconds between polls (default ${DEFAULT-VALUE})")
    double intervalSeconds;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean terminal;

    GreenlightCli(Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static void main(String... args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err, System.console() != null));
    }

    /** Runs one command line; the process exit code. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
        CommandLine cli = new CommandLine(new GreenlightCli(env, out, err, terminal));
        cli.setOut(out).setErr(err)
                .setParameterExceptionHandler((e, a) -> {
                    err.println(e.getMessage());
                    e.getCommandLine().usage(err);
                    err.flush();
                    return ExitCode.USAGE;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof ApiException api) {
                        err.println(api.getMessage());
                        err.flush();
                        return api.status() == 404 && cmd.getCommand() instanceof Unsupportable ? ExitCode.UNSUPPORTED : ExitCode.API_ERROR;
                    }
                    if (e instanceof IllegalArgumentException) {
                        err.println(e.getMessage());
                        err.flush();
                        return ExitCode.USAGE;
                    }
                    throw e;
                });
        return cli.execute(args);
    }

    Session session() throws IOException {
        String base = url != null ? url : env.getOrDefault("GREENLIGHT_URL", "http://localhost:8080");
        return new Session(new ApiClient(base, token()), out, err, terminal && !plain, json,
                Duration.ofMillis(Math.max(100, (long) (intervalSeconds * 1000))));
    }

    Optional<String> token() throws IOException {
        Path file = tokenFile != null ? tokenFile
                : Optional.ofNullable(env.get("GREENLIGHT_API_TOKEN_FILE")).filter(s -> !s.isBlank()).map(Path::of).orElse(null);
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("Cannot read the API token file " + file + ".");
            }
            return Optional.of(Files.readString(file).strip());
        }
        return Optional.ofNullable(env.get("GREENLIGHT_API_TOKEN")).map(String::strip).filter(s -> !s.isEmpty());
    }

    /** {@code --timeout} of the commands that follow a long operation. */
    static class Timeout {
        @Option(names = "--timeout", defaultValue = "0", description = "Give up following after this many seconds (exit 3); 0 = never")
        long seconds;

        Duration duration() {
            return Duration.ofSeconds(seconds);
        }
    }

    /** Commands whose route a server may not have yet: a 404 means "not supported". */
    interface Unsupportable {
    }

    @Command(name = "status", description = "Print the phase, lag, per-table state and the cutover once.")
    static class Status implements Callable<Integer> {
        @ParentCommand
        GreenlightCli cli;

        @Override
        public Integer call() throws Exception {
            Session s = cli.session();
            JsonNode status = s.status();
            JsonNode cutover = s.cutover();
            if (s.json) {
                s.show(status, cutover, null);
            } else {
                new ProgressView().lines(status, cutover, null, System.nanoTime()).forEach(s.out::println);
                s.out.flush();
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "watch", description = "Follow the migration live: phase, copy progress with ETA, lag, the cutover.")
    static class Watch implements Callable<Integer> {
        @ParentCommand
        GreenlightCli cli;

        @Option(names = "--until", description = "Stop when: streaming (phase STREAMING), cutover (the cutover ended); default: never")
        String until;

        @Mixin
        Timeout timeout;

        @Override
        public Integer call() throws Exception {
            if (until != null && !until.equals("streaming") && !until.equals("cutover")) {
                throw new IllegalArgumentException("--until must be streaming or cutover, not '" + until + "'.");
            }
            Session s = cli.session();
            long deadline = Session.deadline(timeout.duration());
            while (true) {
                JsonNode status = s.status();
                JsonNode cutover = s.cutover();
                s.show(status, cutover, null);
                if ("FAILED".equals(status.path("phase").asText()) && "streaming".equals(until)) {
                    return ExitCode.FAILED;
                }
                if ("streaming".equals(until) && "STREAMING".equals(status.path("phase").asText())) {
                    return ExitCode.OK;
                }
                if ("cutover".equals(until) && cutover != null && Session.CUTOVER_TERMINAL.contains(cutover.path("state").asText())) {
                    if (!s.json) {
                        s.out.println(ProgressView.outcome(cutover));
                        s.out.flush();
                    }
                    return switch (cutover.path("state").asText()) {
                        case "COMPLETED" -> ExitCode.OK;
                        case "ABORTED" -> ExitCode.ABORTED;
                        default -> ExitCode.FAILED;
                    };
                }
                if (System.nanoTime() > deadline) {
                    return s.timedOut(until == null ? "watched for " + timeout.seconds + " s"
                            : "still waiting for " + until + " after " + timeout.seconds + " s");
                }
                Thread.sleep(s.interval.toMillis());
            }
        }
    }

    @Command(name = "verify", description = "Compare the target with the source row by row and follow it to the end.")
    static class Verify implements Callable<Integer> {
        @ParentCommand
        GreenlightCli cli;

        @Option(names = "--tables", split = ",", description = "schema.table names (default: every replicated table)")
        List<String> tables;

        @Option(names = "--chunk-size", description = "Rows per hashed chunk")
        Integer chunkSize;

        @Mixin
        Timeout timeout;

        @Override
        public Integer call() throws Exception {
            Session s = cli.session();
            ObjectNode body = ApiClient.JSON.createObjectNode();
            if (tables != null) {
                ArrayNode names = body.putArray("tables");
                tables.forEach(names::add);
            }
            if (chunkSize != null) {
                body.put("chunkSize", chunkSize);
            }
            ApiClient.Response started = s.api.call("POST", "/verify", body, 409);
            String id = started.body().path("id").asText();
            if (started.status() == 409 && !s.json) {
                s.out.println("A verification is already running: following " + id + ".");
            }
            return s.followVerification(id, timeout.duration());
        }
    }

    @Command(name = "cutover", description = "Arm the cutover and follow it: state transitions, then the write-blocked window.")
    static class Cutover implements Callable<Integer> {
        @ParentCommand
        GreenlightCli cli;

        @Option(names = "--fence", description = "NONE, READ_ONLY or REVOKE (default: the server's)")
        String fence;

        @Option(names = "--roles", split = ",", description = "Application roles the fence applies to")
        List<String> roles;

        @Option(names = "--max-lag", description = "Seconds of lag to wait for (default: greenlight.cutover.max-lag-seconds)")
        Double maxLag;

        @Option(names = "--verify", description = "Verify the target after draining; a difference fails the cutover")
        boolean verify;

        @Option(names = "--max-write-blocked", description = "Seconds writes may be blocked before the cutover gives up and lifts the fence (default: the server's, 30)")
        Double maxWriteBlocked;

        @Option(names = "--dry-run", description = "Run every guardrail and report; change nothing (exit 0 if the cutover would start, 1 if not)")
        boolean dryRun;

        @Option(names = "--options", description = "The whole POST /cutover body as JSON (other options are added to it)")
        String options;

        @Option(names = "--no-wait", description = "Arm it and return (exit 0) without following")
        boolean noWait;

        @Mixin
        Timeout timeout;

        @Override
        public Integer call() throws Exception {
            Session s = cli.session();
            ObjectNode body;
            try {
                body = options == null ? ApiClient.JSON.createObjectNode() : (ObjectNode) ApiClient.JSON.readTree(options);
            } catch (IOException | ClassCastException e) {
                throw new IllegalArgumentException("--options is not a JSON object: " + options);
            }
            if (fence != null || roles != null) {
                ObjectNode f = body.has("fence") ? (ObjectNode) body.get("fence") : body.putObject("fence");
                if (fence != null) {
                    f.put("mode", fence.toUpperCase(java.util.Locale.ROOT));
                }
                if (roles != null) {
                    ArrayNode r = f.putArray("roles");
                    roles.forEach(r::add);
                }
            }
            if (maxLag != null) {
                body.put("maxLagSeconds", maxLag);
            }
            if (verify) {
                body.put("verify", true);
            }
            if (maxWriteBlocked != null) {
                body.put("maxWriteBlockedSeconds", maxWriteBlocked);
            }
            if (dryRun) {
                return dryRun(s, body);
            }
            ApiClient.Response armed = s.api.call("POST", "/cutover", body, 409);
            if (armed.status() == 409) {
                JsonNode existing = armed.body().path("cutover");
                if (existing.isMissingNode()) {
                    throw new ApiException(409, "POST /cutover answered 409: " + armed.body().path("detail").asText(), armed.body().toString());
                }
                if (!s.json) {
                    s.out.println("A cutover exists already (" + existing.path("state").asText() + "): following it, not starting another.");
                }
            }
            if (noWait) {
                if (s.json) {
                    s.out.println(armed.body());
                }
                s.out.flush();
                return ExitCode.OK;
            }
            return s.followCutover(timeout.duration());
        }

        private static int dryRun(Session s, ObjectNode body) throws Exception {
            body.put("dryRun", true);
            JsonNode report = s.api.call("POST", "/cutover", body).body();
            if (s.json) {
                s.out.println(report);
            } else {
                for (JsonNode check : report.path("checks")) {
                    s.out.println((check.path("passed").asBoolean() ? "ok    " : "FAILED") + " " + check.path("name").asText()
                            + ": " + check.path("detail").asText());
                }
                s.out.println(report.path("wouldStart").asBoolean() ? "The cutover would start." : "The cutover would NOT start.");
            }
            s.out.flush();
            return report.path("wouldStart").asBoolean() ? ExitCode.OK : ExitCode.FAILED;
        }
    }

    @Command(name = "abort", description = "Abort the cutover while it still waits for lag (before the fence).")
    static class Abort implements Callable<Integer> {
        @ParentCommand
        GreenlightCli cli;

        @Override
        public Integer call() throws Exception {
            Session s = cli.session();
            JsonNode record = s.api.call("DELETE", "/cutover", null).body();
            if (s.json) {
                s.out.println(record);
            } else {
                s.out.println(ProgressView.outcome(record));
            }
            s.out.flush();
            return "ABORTED".equals(record.path("state").asText()) ? ExitCode.OK : ExitCode.FAILED;
        }
    }

    /** Reverse verbs: the server may not offer them yet; a 404 says so (exit 5). */
    abstract static class ReverseVerb implements Callable<Integer>, Unsupportable {
        @ParentCommand
        GreenlightCli cli;

        abstract String path();

        @Override
        public Integer call() throws Exception {
            Session s = cli.session();
            ApiClient.Response r = s.api.call("POST", path(), ApiClient.JSON.createObjectNode(), 404, 405);
            if (r.status() == 404 || r.status() == 405) {
                s.err.println("This Greenlight server does not support " + path() + " yet (it answered " + r.status()
                        + "). See docs/cutover.md for rolling back by hand.");
                s.err.flush();
                return ExitCode.UNSUPPORTED;
            }
            if (s.json) {
                s.out.println(r.body());
            } else {
                s.out.println("POST " + path() + " answered " + r.status() + ": " + r.body().path("state").asText(r.body().toString()));
            }
            s.out.flush();
            return follow(s);
        }

        /** What follows the request once the server took it (the exit code). */
        int follow(Session s) throws Exception {
            return ExitCode.OK;
        }
    }

    @Command(name = "rollback", description = "Switch back to the source and follow it: fence the new primary, drain, "
            + "sequences, switch back, then the write-blocked window.")
    static class Rollback extends ReverseVerb {
        @Mixin
        Timeout timeout;

        @Override
        String path() {
            return "/rollback";
        }

        @Override
        int follow(Session s) throws Exception {
            return s.followRollback(timeout.duration());
        }
    }

    @Command(name = "complete", description = "Finish the migration: stop reverse replication (where the server supports it).")
    static class Complete extends ReverseVerb {
        @Override
        String path() {
            return "/complete";
        }
    }
}
