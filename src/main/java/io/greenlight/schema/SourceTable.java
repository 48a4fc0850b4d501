package io.greenlight.schema;

import java.util.List;
import java.util.Optional;

/**
 * A captured table: its columns in ordinal order, its primary key and its replica identity
 * ('d' default, 'f' full, 'i' index, 'n' nothing).
 */
public record SourceTable(TableId id, List<SourceColumn> columns, List<String> primaryKey, char replicaIdentity) {

    public SourceTable {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public Optional<SourceColumn> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public boolean hasPrimaryKey() {
        return !primaryKey.isEmpty();
    }

    /** Columns that identify a row: the primary key, or every column for a keyless table. */
    public List<String> identityColumns() {
        return hasPrimaryKey() ? primaryKey : columns.stream().map(SourceColumn::name).toList();
    }
}
