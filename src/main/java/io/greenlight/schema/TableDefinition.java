package io.greenlight.schema;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A source table's definition as the source's DDL trigger wrote it into the WAL, right after the
 * statement that changed it: its columns (with their attribute numbers, which a rename keeps), keys,
 * indexes, and the values rows older than an added column have. The JSON is produced by
 * {@link #json(String)} inside the source's transaction, so it is the table exactly at that point.
 */
public record TableDefinition(long oid, SourceTable table, Map<String, String> missingValues, List<Index> indexes) {

    /** One index of the table: a plain column list unless {@code simple} is false (partial or on expressions). */
    public record Index(String name, boolean unique, boolean primary, boolean simple, boolean immediate,
                        List<String> columns, String definition) {
    }

    public TableDefinition {
        missingValues = Map.copyOf(missingValues);
        indexes = List.copyOf(indexes);
    }

    public Optional<Index> index(String name) {
        return indexes.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /**
     * SQL (PostgreSQL) whose value is the JSON definition of the table whose oid {@code relation}
     * evaluates to; the column part is {@link SourceCatalog}'s own query, so both read a table alike.
     */
    public static String json(String relation) {
        String columns = SourceCatalog.COLUMNS.replace("?::regclass", relation);
        String keyColumns = "(SELECT json_agg(a.attname::text ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)";
        return "(SELECT json_build_object("
                + "'oid', c.oid, 'schema', n.nspname, 'table', c.relname, 'replicaIdentity', c.relreplident,"
                + " 'partition', c.relispartition,"
                + " 'columns', coalesce((SELECT json_agg(row_to_json(x)) FROM (" + columns + ") x), '[]'::json),"
                + " 'missing', coalesce((SELECT json_object_agg(a.attname, (a.attmissingval::text::text[])[1]) FROM pg_attribute a"
                + "   WHERE a.attrelid = c.oid AND a.atthasmissing AND NOT a.attisdropped AND a.attnum > 0), '{}'::json),"
                + " 'indexes', coalesce((SELECT json_agg(json_build_object('name', ic.relname, 'unique', i.indisunique,"
                + "   'primary', i.indisprimary, 'replident', i.indisreplident, 'valid', i.indisvalid, 'immediate', i.indimmediate,"
                + "   'simple', i.indpred IS NULL AND i.indexprs IS NULL, 'definition', pg_get_indexdef(i.indexrelid),"
                + "   'columns', " + keyColumns + ") ORDER BY ic.relname)"
                + "   FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid), '[]'::json))"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = " + relation + ")";
    }

    /** Reads what {@link #json(String)} produced. */
    public static TableDefinition parse(JsonNode json) {
        TableId id = new TableId(json.get("schema").asText(), json.get("table").asText());
        List<SourceColumn> columns = new ArrayList<>();
        for (JsonNode c : json.get("columns")) {
            List<String> labels = new ArrayList<>();
            if (c.hasNonNull("enum_labels")) {
                c.get("enum_labels").forEach(l -> labels.add(l.asText()));
            }
            columns.add(new SourceColumn(c.get("attname").asText(), c.get("attnum").asInt(), c.get("base_type").asText(),
                    c.get("formatted").asText(), c.get("category").asText().charAt(0), c.get("is_array").asBoolean(),
                    c.get("nullable").asBoolean(), intOr(c, "char_len"), intOr(c, "num_precision", intOr(c, "dt_precision")),
                    intOr(c, "num_scale"), c.get("is_identity").asBoolean(), textOr(c, "default_expr"),
                    c.get("is_generated").asBoolean(), labels));
        }
        List<Index> indexes = new ArrayList<>();
        for (JsonNode i : json.get("indexes")) {
            List<String> keyColumns = new ArrayList<>();
            if (i.hasNonNull("columns")) {
                i.get("columns").forEach(k -> keyColumns.add(k.asText()));
            }
            if (!i.get("valid").asBoolean()) {
                continue; // CREATE INDEX CONCURRENTLY in progress or failed: not an index yet
            }
            indexes.add(new Index(i.get("name").asText(), i.get("unique").asBoolean(), i.get("primary").asBoolean(),
                    i.get("simple").asBoolean(), i.get("immediate").asBoolean(), keyColumns, i.get("definition").asText()));
        }
        char identity = json.get("replicaIdentity").asText().charAt(0);
        List<String> key = indexes.stream().filter(Index::primary).findFirst().map(Index::columns).orElse(List.of());
        if (key.isEmpty() && identity == 'i') {
            key = json.get("indexes").findParents("replident").stream().filter(i -> i.get("replident").asBoolean())
                    .findFirst().map(i -> indexes.stream().filter(x -> x.name().equals(i.get("name").asText()))
                            .findFirst().map(Index::columns).orElse(List.of())).orElse(List.of());
        }
        List<String> rowKey = key;
        List<List<String>> unique = indexes.stream()
                .filter(i -> i.unique() && !i.primary() && i.simple() && i.immediate() && !i.columns().equals(rowKey))
                .map(Index::columns).toList();
        Map<String, String> missing = new LinkedHashMap<>();
        json.get("missing").fields().forEachRemaining(e -> missing.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        return new TableDefinition(Long.parseLong(json.get("oid").asText()), new SourceTable(id, columns, key, unique, identity), missing, indexes);
    }

    private static int intOr(JsonNode node, String field) {
        return intOr(node, field, -1);
    }

    private static int intOr(JsonNode node, String field, int fallback) {
        return node.hasNonNull(field) ? node.get(field).asInt() : fallback;
    }

    private static String textOr(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
