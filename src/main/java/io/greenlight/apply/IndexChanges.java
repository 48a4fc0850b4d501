package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.DdlEvent;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableDefinition;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which indexes a source DDL statement creates or drops on the target, and what it cannot (see {@link DdlFollower}). */
record IndexChanges(List<TableDefinition.Index> create, List<List<String>> droppedKeys, Optional<String> droppedName,
                    Optional<String> refusal) {

    private static final Logger LOG = Logger.getLogger(IndexChanges.class);

    static IndexChanges of(SourceTable before, SourceTable after, TableDefinition definition, DdlEvent ddl,
                           Map<String, String> renamed) {
        List<TableDefinition.Index> create = new ArrayList<>();
        String indexName = unquote(ddl.identity().contains(".")
                ? ddl.identity().substring(ddl.identity().lastIndexOf('.') + 1) : ddl.identity());
        if ("index".equals(ddl.objectType()) && ddl.tag().startsWith("CREATE")) {
            Optional<TableDefinition.Index> index = definition.index(indexName);
            if (index.isPresent() && !index.get().primary()) {
                if (!index.get().simple()) {
                    if (index.get().unique()) {
                        return new IndexChanges(List.of(), List.of(), Optional.empty(), Optional.of("the unique index "
                                + index.get().name() + " is partial or on expressions (" + index.get().definition()
                                + "), which the target cannot enforce alike"));
                    }
                    LOG.warnf("Index %s (%s) is partial or on expressions: not created on the target; the data is unaffected",
                            index.get().name(), index.get().definition());
                } else {
                    create.add(index.get());
                }
            }
        }
        // ADD/DROP CONSTRAINT ... UNIQUE, CREATE UNIQUE INDEX, DROP INDEX: the unique keys differ
        List<List<String>> old = before.uniqueKeys().stream()
                .map(k -> k.stream().map(c -> renamed.getOrDefault(c, c)).toList()).toList();
        for (List<String> key : after.uniqueKeys()) {
            if (!old.contains(key) && create.stream().noneMatch(i -> i.columns().equals(key))) {
                definition.indexes().stream().filter(i -> i.unique() && i.columns().equals(key)).findFirst()
                        .ifPresent(create::add);
            }
        }
        List<List<String>> dropped = old.stream().filter(k -> !after.uniqueKeys().contains(k)).toList();
        Optional<String> droppedName = "DROP INDEX".equals(ddl.tag()) ? Optional.of(indexName) : Optional.empty();
        return new IndexChanges(create, dropped, droppedName, Optional.empty());
    }

    private static String unquote(String name) {
        return name.startsWith("\"") && name.endsWith("\"") ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name;
    }

    /** The target table's indexes (not its primary key): name to columns in order. */
    static Map<String, List<String>> onTarget(Connection target, Dialect dialect, SourceTable table) throws SQLException {
        Map<String, List<String>> indexes = new java.util.LinkedHashMap<>();
        boolean postgres = "postgresql".equals(dialect.name());
        try (ResultSet rs = target.getMetaData().getIndexInfo(target.getCatalog(), postgres ? table.id().schema() : null,
                table.id().table(), false, true)) {
            while (rs.next()) {
                String name = rs.getString("INDEX_NAME");
                String column = rs.getString("COLUMN_NAME");
                if (name == null || column == null || "PRIMARY".equals(name) || name.endsWith("_pkey")) {
                    continue;
                }
                indexes.computeIfAbsent(name, n -> new ArrayList<>()).add(column.replace("\"", ""));
            }
        }
        return indexes;
    }

    /** The target table's column names, as the target reports them. */
    static java.util.Set<String> columnsOnTarget(Connection target, Dialect dialect, SourceTable table) throws SQLException {
        java.util.Set<String> columns = new java.util.HashSet<>();
        try (java.sql.Statement st = target.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM " + dialect.tableName(table) + " WHERE 1 = 0")) {
            java.sql.ResultSetMetaData meta = rs.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
            }
        }
        return columns;
    }
}
