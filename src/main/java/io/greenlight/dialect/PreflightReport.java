package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every captured column with its target type, and what will not arrive exactly. Built at start
 * (logged, served by GET /preflight). Greenlight refuses to start while {@link #problems()} is not
 * empty (names the target cannot hold); a table with a lossy column not accepted is paused alone
 * ({@link #unaccepted()}: table to the reasons) while the others migrate.
 */
public record PreflightReport(String dialect, List<ColumnReport> columns, List<String> problems,
                              Map<String, List<String>> unaccepted) {

    /** One source column: its PostgreSQL type, target type, and whether loss is possible and accepted. */
    public record ColumnReport(String table, String column, String sourceType, String targetType, boolean lossy,
                               boolean accepted, String note) {
    }

    public PreflightReport {
        columns = List.copyOf(columns);
        problems = List.copyOf(problems);
        unaccepted = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unaccepted));
    }

    /** Why the table is held at start (its lossy columns not accepted, and the remedy), if it is. */
    public java.util.Optional<String> unacceptedLoss(TableId table) {
        List<String> reasons = unaccepted.get(table.toString());
        if (reasons == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("Table " + table + " is not copied or applied: " + String.join(" ", reasons)
                + " Then restart Greenlight: it copies the table and streams it.");
    }

    public static PreflightReport of(Dialect dialect, Collection<SourceTable> tables, LossyPolicy lossy) {
        List<ColumnReport> columns = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> unaccepted = new LinkedHashMap<>();
        for (SourceTable table : tables) {
            checkIdentifier(dialect, "Table " + table.id(), table.id().table(), problems);
            sameTargetColumn(dialect, table, problems);
            for (SourceColumn column : table.columns()) {
                String ref = LossyPolicy.columnRef(table.id(), column.name());
                checkIdentifier(dialect, "Column " + ref, column.name(), problems);
                TypeMapping mapping = dialect.mapping(table, column);
                boolean accepted = lossy.accepts(table.id(), column);
                columns.add(new ColumnReport(table.id().toString(), column.name(), column.formatted(), mapping.sqlType(),
                        mapping.lossy(), accepted, mapping.note()));
                if (mapping.lossy() && !accepted) {
                    unaccepted.computeIfAbsent(table.id().toString(), t -> new ArrayList<>())
                            .add("Column " + ref + " (" + column.formatted() + ") maps to " + mapping.sqlType()
                            + " with loss: " + mapping.note() + ". Accept it with " + LossyPolicy.KEY + "=" + ref
                            + " (or the type: " + column.typeName() + "), or change the source column.");
                }
            }
        }
        return new PreflightReport(dialect.name(), columns, problems, unaccepted);
    }

    /** Columns whose names the target does not tell apart (MySQL ignores case in column names). */
    private static void sameTargetColumn(Dialect dialect, SourceTable table, List<String> problems) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        table.columns().forEach(c -> byKey.computeIfAbsent(dialect.columnNameKey(c.name()), k -> new ArrayList<>())
                .add(TableId.quoteIdentifier(c.name())));
        byKey.values().stream().filter(names -> names.size() > 1).forEach(names -> problems.add("Table " + table.id().quoted()
                + " has columns " + String.join(" and ", names) + " that " + dialect.name()
                + " cannot tell apart (it ignores case in column names). Rename one of them on the source."));
    }

    private static void checkIdentifier(Dialect dialect, String what, String name, List<String> problems) {
        try {
            dialect.quote(name);
        } catch (IllegalArgumentException e) {
            problems.add(what + ": " + e.getMessage() + ".");
        }
    }

    /** The report as log lines: one per column, lossy ones marked. */
    public String describe() {
        StringBuilder text = new StringBuilder("Type mapping to " + dialect + " (" + columns.size() + " columns):");
        for (ColumnReport c : columns) {
            text.append("\n  ").append(c.table()).append('.').append(c.column()).append(' ').append(c.sourceType())
                    .append(" -> ").append(c.targetType());
            if (c.lossy()) {
                text.append(c.accepted() ? "  [LOSSY, accepted]" : "  [LOSSY, NOT accepted]");
            }
            if (!c.note().isEmpty()) {
                text.append("  (").append(c.note()).append(')');
            }
        }
        return text.toString();
    }
}
