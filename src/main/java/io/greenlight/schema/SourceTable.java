package io.greenlight.schema;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A captured table: its columns in ordinal order, its primary key (for a table without one whose
 * REPLICA IDENTITY is USING INDEX: that index's columns, the key its rows are identified by), its
 * other unique keys (plain column lists, no partial or expression indexes) and its replica
 * identity ('d' default, 'f' full, 'i' index, 'n' nothing). {@code numericExtents}: what the
 * values of unconstrained numeric columns hold, for targets that size their decimals from it
 * (empty unless measured).
 */
public record SourceTable(TableId id, List<SourceColumn> columns, List<String> primaryKey,
                          List<List<String>> uniqueKeys, char replicaIdentity, Map<String, NumericExtent> numericExtents) {

    public SourceTable {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        uniqueKeys = uniqueKeys.stream().map(List::copyOf).toList();
        numericExtents = Map.copyOf(numericExtents);
    }

    public SourceTable(TableId id, List<SourceColumn> columns, List<String> primaryKey,
                       List<List<String>> uniqueKeys, char replicaIdentity) {
        this(id, columns, primaryKey, uniqueKeys, replicaIdentity, Map.of());
    }

    public SourceTable(TableId id, List<SourceColumn> columns, List<String> primaryKey, char replicaIdentity) {
        this(id, columns, primaryKey, List.of(), replicaIdentity);
    }

    public Optional<SourceColumn> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public boolean hasPrimaryKey() {
        return !primaryKey.isEmpty();
    }

    /**
     * The column count of the widest primary or unique key the column is part of, 0 when it is in
     * none: key columns share the target's index length limit.
     */
    public int keyWidth(String name) {
        int width = primaryKey.contains(name) ? primaryKey.size() : 0;
        for (List<String> key : uniqueKeys) {
            if (key.contains(name)) {
                width = Math.max(width, key.size());
            }
        }
        return width;
    }

    /** Columns that identify a row: the primary key, or every column for a keyless table. */
    public List<String> identityColumns() {
        return hasPrimaryKey() ? primaryKey : columns.stream().map(SourceColumn::name).toList();
    }

    /** The same table with a different column list (schema evolution). */
    public SourceTable withColumns(List<SourceColumn> newColumns) {
        return new SourceTable(id, newColumns, primaryKey, uniqueKeys, replicaIdentity, numericExtents);
    }

    /** The same table with the extents of its unconstrained numeric columns. */
    public SourceTable withNumericExtents(Map<String, NumericExtent> extents) {
        return new SourceTable(id, columns, primaryKey, uniqueKeys, replicaIdentity, extents);
    }

    /** What the values of an unconstrained numeric column hold, when measured. */
    public Optional<NumericExtent> numericExtent(String column) {
        return Optional.ofNullable(numericExtents.get(column));
    }
}
