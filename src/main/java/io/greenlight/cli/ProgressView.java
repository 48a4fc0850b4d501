package io.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns /status, /cutover and /verify answers into lines for people: the phase, lag, per-table copy
 * progress with rate and ETA, the cutover's state transitions and write-blocked window. Keeps the
 * previous sample of each table to compute rates.
 */
public class ProgressView {

    private record Sample(long rows, long atNanos) {
    }

    private final Map<String, Sample> previous = new HashMap<>();
    private final Map<String, Double> rates = new HashMap<>();

    /** The dashboard: one line per fact. */
    public List<String> lines(JsonNode status, JsonNode cutover, JsonNode verification, long nowNanos) {
        List<String> lines = new ArrayList<>();
        if (status != null) {
            JsonNode lag = status.path("lag");
            lines.add(String.format(Locale.ROOT, "phase %-9s  lag %s (capture %s, apply %s)  slot retains %s  capture %s, apply %s",
                    status.path("phase").asText("?"), seconds(lag.path("endToEndSeconds").asDouble()),
                    seconds(lag.path("captureSeconds").asDouble()), seconds(lag.path("applySeconds").asDouble()),
                    bytes(lag.path("replicationSlotBytes").asLong()),
                    status.path("captureRunning").asBoolean() ? "running" : "stopped",
                    status.path("applyRunning").asBoolean() ? "running" : "stopped"));
            if (status.path("standby").isTextual()) {
                lines.add(status.path("standby").asText());
            }
            JsonNode failure = status.path("failure");
            if (failure.isObject()) {
                lines.add("FAILED in " + failure.path("component").asText() + ": " + failure.path("reason").asText()
                        + " " + failure.path("action").asText());
            }
            boolean loading = "SNAPSHOT".equals(status.path("phase").asText());
            for (JsonNode table : status.path("backfill")) {
                if (loading || !"DONE".equals(table.path("state").asText())) {
                    lines.add(copyLine(table, nowNanos));
                }
            }
            for (JsonNode table : status.path("tables")) {
                String state = table.path("state").asText();
                lines.add(String.format(Locale.ROOT, "  %-40s %-9s captured %,d  applied %,d%s", table.path("table").asText(), state,
                        table.path("captured").asLong(), table.path("applied").asLong(),
                        table.path("error").isTextual() ? "  " + table.path("error").asText() : ""));
            }
        }
        if (cutover != null) {
            lines.addAll(cutoverLines(cutover));
        }
        if (verification != null) {
            lines.add(verifyLine(verification));
        }
        return lines;
    }

    /** A table of the initial load: rows copied of the estimate, rate and ETA. */
    String copyLine(JsonNode table, long nowNanos) {
        String name = table.path("table").asText();
        long rows = table.path("rowsCopied").asLong();
        long estimate = table.path("estimatedRows").asLong();
        Sample last = previous.put(name, new Sample(rows, nowNanos));
        if (last != null && nowNanos > last.atNanos()) {
            double instant = (rows - last.rows()) / ((nowNanos - last.atNanos()) / 1e9);
            rates.merge(name, instant, (old, now) -> 0.7 * old + 0.3 * now); // smoothed
        }
        double rate = rates.getOrDefault(name, 0.0);
        boolean done = "DONE".equalsIgnoreCase(table.path("state").asText()) || table.path("chunksTotal").asInt() > 0
                && table.path("chunksDone").asInt() >= table.path("chunksTotal").asInt();
        String eta = done ? "done" : rate > 0 && estimate > rows ? "ETA " + duration(Duration.ofSeconds((long) ((estimate - rows) / rate))) : "ETA ?";
        int percent = done ? 100 : estimate > 0 ? (int) Math.min(99, rows * 100 / estimate) : 0;
        String of = estimate >= 0 ? String.format(Locale.ROOT, " / ~%,d", estimate) : ""; // -1: the catalog has no estimate yet
        return String.format(Locale.ROOT, "  copy %-35s %3d%%  %,d%s rows  chunks %d/%d  %,.0f rows/s  %s", name, percent, rows,
                of, table.path("chunksDone").asInt(), table.path("chunksTotal").asInt(), rate, eta);
    }

    public List<String> cutoverLines(JsonNode cutover) {
        List<String> lines = new ArrayList<>();
        String state = cutover.path("state").asText("?");
        lines.add("cutover " + state + (cutover.path("writeBlockedSeconds").isNumber()
                ? "  writes blocked " + seconds(cutover.path("writeBlockedSeconds").asDouble()) : "")
                + (cutover.path("reason").isTextual() ? "  reason: " + cutover.path("reason").asText() : ""));
        for (JsonNode transition : cutover.path("transitions")) {
            lines.add("  " + transitionLine(transition));
        }
        return lines;
    }

    public static String transitionLine(JsonNode transition) {
        return transition.path("at").asText() + "  " + transition.path("state").asText()
                + (transition.path("note").isTextual() ? "  " + transition.path("note").asText() : "");
    }

    public static String verifyLine(JsonNode report) {
        JsonNode progress = report.path("progress");
        String line = String.format(Locale.ROOT, "verify %s %s  tables %d/%d  rows compared %,d  %,d rows/s",
                report.path("id").asText(), report.path("state").asText(), progress.path("tablesDone").asInt(),
                progress.path("tablesTotal").asInt(), progress.path("rowsCompared").asLong(), progress.path("rowsPerSecond").asLong());
        if (report.path("result").path("summary").isTextual()) {
            line += "  " + report.path("result").path("summary").asText();
        }
        if (report.path("error").isTextual()) {
            line += "  error: " + report.path("error").asText();
        }
        return line;
    }

    /** The closing line of a cutover: its outcome and the write-blocked window. */
    public static String outcome(JsonNode cutover) {
        String state = cutover.path("state").asText();
        StringBuilder line = new StringBuilder("Cutover ").append(state);
        if (cutover.path("writeBlockedSeconds").isNumber()) {
            line.append(": writes were blocked for ").append(seconds(cutover.path("writeBlockedSeconds").asDouble()));
            if (cutover.path("fencedAt").isTextual() && cutover.path("switchedAt").isTextual()) {
                line.append(" (fenced ").append(cutover.path("fencedAt").asText()).append(", switched ")
                        .append(cutover.path("switchedAt").asText()).append(")");
            }
        }
        if (cutover.path("reason").isTextual()) {
            line.append(". Reason: ").append(cutover.path("reason").asText());
        }
        return line.toString();
    }

    /** The note of the cutover's latest transition ("" when there is none). */
    static String lastNote(JsonNode cutover) {
        JsonNode transitions = cutover == null ? null : cutover.path("transitions");
        if (transitions == null || !transitions.isArray() || transitions.isEmpty()) {
            return "";
        }
        return transitions.get(transitions.size() - 1).path("note").asText("");
    }

    /** One line: the rollback's outcome, with the write-blocked window when it switched back. */
    public static String rollbackOutcome(JsonNode cutover) {
        JsonNode blocked = cutover.path("rollback").path("writeBlockedSeconds");
        if ("ROLLED_BACK".equals(cutover.path("state").asText()) && blocked.isNumber()) {
            return "Rollback ROLLED_BACK: writes were blocked for " + seconds(blocked.asDouble())
                    + "; the source is the primary again";
        }
        return "Rollback " + cutover.path("state").asText() + ": " + lastNote(cutover);
    }

    static String seconds(double s) {
        return s < 10 ? String.format(Locale.ROOT, "%.2f s", s) : String.format(Locale.ROOT, "%.0f s", s);
    }

    static String bytes(long b) {
        if (b < 0) {
            return "?";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    static String duration(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + " s";
    }
}
