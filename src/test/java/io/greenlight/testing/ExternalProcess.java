package io.greenlight.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs server binaries for the tests; as root, PostgreSQL tools run as the OS user postgres. */
final class ExternalProcess {

    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private ExternalProcess() {
    }

    static List<String> asUser(String user, String... command) {
        List<String> full = new ArrayList<>();
        if (ROOT && user != null) {
            full.addAll(List.of("runuser", "-u", user, "--"));
        }
        full.addAll(List.of(command));
        return full;
    }

    /** Runs to completion; fails with the command's output when it exits non-zero. */
    static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("Timed out: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IOException("Failed (" + process.exitValue() + "): " + command + "\n" + Files.readString(log));
        }
    }

    static Path firstExisting(String... candidates) {
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        throw new IllegalStateException("None of " + List.of(candidates) + " exists; install the server package "
                + "(.ci/run does: apt-get install postgresql mariadb-server)");
    }
}
