package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.TableId;

import java.util.List;
import java.util.Set;

/**
 * Which lossy mappings the operator accepted (greenlight.types.lossy-accept): entries are either a
 * column, {@code schema.table.column}, or a PostgreSQL type name such as {@code timetz}.
 */
public final class LossyPolicy {

    public static final String KEY = "greenlight.types.lossy-accept";

    private final Set<String> accepted;

    private LossyPolicy(Set<String> accepted) {
        this.accepted = accepted;
    }

    public static LossyPolicy of(List<String> entries) {
        return new LossyPolicy(Set.copyOf(entries.stream().map(String::trim).filter(e -> !e.isEmpty()).toList()));
    }

    public static LossyPolicy none() {
        return of(List.of());
    }

    public boolean accepts(TableId table, SourceColumn column) {
        return accepted.contains(columnRef(table, column.name())) || accepted.contains(column.typeName())
                || accepted.contains(column.formatted());
    }

    public static String columnRef(TableId table, String column) {
        return table + "." + column;
    }
}
