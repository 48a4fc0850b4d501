package io.greenlight;

import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a bring-up found on the source and the target, fixed once read: the target's dialect, the
 * tables to capture as the target holds them (in capture order), the type-mapping report, and
 * the tables held at start because a loss was not accepted (table to the reason and remedy).
 */
record BringUpPlan(Dialect dialect, Map<TableId, SourceTable> tables, PreflightReport report, Map<TableId, String> lossHeld) {

    BringUpPlan {
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
        lossHeld = Collections.unmodifiableMap(new TreeMap<>(lossHeld));
    }

    /** The plan for {@code tables}: the report's unaccepted losses hold their tables. */
    static BringUpPlan of(Dialect dialect, Map<TableId, SourceTable> tables, PreflightReport report) {
        Map<TableId, String> held = new TreeMap<>();
        tables.keySet().forEach(t -> report.unacceptedLoss(t).ifPresent(why -> held.put(t, why)));
        return new BringUpPlan(dialect, tables, report, held);
    }

    /** Why Greenlight must not start on this plan (names the target cannot hold), or empty. */
    Optional<String> refusal() {
        if (report.problems().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Greenlight refuses to start, the target cannot hold these names:\n  - "
                + String.join("\n  - ", report.problems()));
    }

    /**
     * The tables a backfill copies now: every table in snapshot mode backfill, else those a
     * recopy was asked for ({@code pending}); never a table held for a loss not accepted (the
     * start that accepts the loss copies it).
     */
    Map<TableId, SourceTable> toCopy(boolean backfillMode, Map<TableId, SourceTable> pending) {
        Map<TableId, SourceTable> copy = new LinkedHashMap<>(backfillMode ? tables : pending);
        copy.keySet().removeAll(lossHeld.keySet());
        return copy;
    }
}
