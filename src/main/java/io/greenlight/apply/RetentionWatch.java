package io.greenlight.apply;

import io.greenlight.schema.TableId;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Warns before Kafka's retention deletes changes a paused table has not applied: once its oldest
 * unapplied change is half the retention old, and again when less than a tenth is left.
 */
public final class RetentionWatch {

    private final Duration retention;
    private final Function<TableId, String> topicOf;
    /** table + threshold + pause start already warned about: each warning once per pause. */
    private final Set<String> warned = new HashSet<>();

    public RetentionWatch(Duration retention, Function<TableId, String> topicOf) {
        this.retention = retention;
        this.topicOf = topicOf;
    }

    /** The warnings due now for the paused tables (empty when retention is unlimited). */
    public List<String> check(Collection<TablePauses.Pause> paused, long nowMs) {
        List<String> warnings = new ArrayList<>();
        if (retention.isNegative() || retention.isZero()) {
            return warnings;
        }
        for (TablePauses.Pause pause : paused) {
            long age = Math.max(0, nowMs - pause.oldestChangeMs());
            long left = retention.toMillis() - age;
            String threshold = left <= retention.toMillis() / 10 ? "last tenth" : age >= retention.toMillis() / 2 ? "half" : null;
            if (threshold == null || !warned.add(pause.table() + "|" + threshold + "|" + pause.since())) {
                continue;
            }
            warnings.add("Table " + pause.table() + " is paused and its oldest unapplied change is " + human(age)
                    + " old; Kafka topic " + topicOf.apply(pause.table()) + " deletes changes after " + human(retention.toMillis())
                    + " (greenlight.kafka.retention), i.e. " + (left > 0 ? "in about " + human(left) : "now")
                    + ". Fix the cause and POST /tables/" + pause.table() + "/resume before then; once they are deleted the "
                    + "table must be copied again (POST /tables/" + pause.table() + "/recopy).");
        }
        return warnings;
    }

    static String human(long ms) {
        Duration d = Duration.ofMillis(ms);
        if (d.toDays() > 0) {
            return d.toDays() + " d " + d.toHoursPart() + " h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + " h " + d.toMinutesPart() + " min";
        }
        return Math.max(d.toMinutes(), 0) + " min " + d.toSecondsPart() + " s";
    }
}
