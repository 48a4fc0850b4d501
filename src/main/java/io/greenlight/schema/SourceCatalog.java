package io.greenlight.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads table models from the source's pg_catalog. */
public final class SourceCatalog {

    /** Columns with domains resolved to their base type (one level) and enum labels in sort order. */
    static final String COLUMNS = """
            SELECT a.attname, a.attnum, format_type(t.oid, m.typmod) AS formatted,
                   coalesce(et.typname, t.typname) AS base_type, coalesce(et.typcategory, t.typcategory) AS category,
                   t.typcategory = 'A' AS is_array, NOT a.attnotnull AS nullable,
                   information_schema._pg_char_max_length(coalesce(et.oid, t.oid), m.typmod) AS char_len,
                   information_schema._pg_numeric_precision(coalesce(et.oid, t.oid), m.typmod) AS num_precision,
                   information_schema._pg_numeric_scale(coalesce(et.oid, t.oid), m.typmod) AS num_scale,
                   information_schema._pg_datetime_precision(coalesce(et.oid, t.oid), m.typmod) AS dt_precision,
                   a.attidentity <> '' AS is_identity, pg_get_expr(d.adbin, d.adrelid) AS default_expr,
                   a.attgenerated <> '' AS is_generated,
                   (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e
                     WHERE e.enumtypid = coalesce(et.oid, t.oid)) AS enum_labels
              FROM pg_attribute a
              JOIN pg_type dt ON dt.oid = a.atttypid
              JOIN pg_type t ON t.oid = CASE WHEN dt.typtype = 'd' THEN dt.typbasetype ELSE dt.oid END
              CROSS JOIN LATERAL (SELECT CASE WHEN dt.typtype = 'd' THEN dt.typtypmod ELSE a.atttypmod END AS typmod) m
              LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum
            """;

    /**
     * Unique, non-partial, column-only, non-deferrable indexes other than the primary key. A deferrable
     * one may be violated in the middle of a transaction, so its row changes can conflict on the target.
     */
    private static final String UNIQUE_KEYS = """
            SELECT i.indexrelid, a.attname
              FROM pg_index i
              JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE i.indrelid = ?::regclass AND i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL
               AND i.indexprs IS NULL AND i.indisvalid AND i.indimmediate
             ORDER BY i.indexrelid, k.ord
            """;

    /** The value rows that existed before an ADD COLUMN ... DEFAULT have (PostgreSQL 11+ "missing value"). */
    private static final String MISSING_VALUE = """
            SELECT a.atthasmissing, (a.attmissingval::text::text[])[1]
              FROM pg_attribute a WHERE a.attrelid = ?::regclass AND a.attname = ? AND NOT a.attisdropped
            """;

    private static final String PRIMARY_KEY = """
            SELECT a.attname
              FROM pg_index i
              JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE i.indrelid = ?::regclass AND i.indisprimary
             ORDER BY k.ord
            """;

    /** The columns of the index named by REPLICA IDENTITY USING INDEX (unique, not null, immediate, column-only). */
    private static final String IDENTITY_INDEX = """
            SELECT a.attname
              FROM pg_index i
              JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE i.indrelid = ?::regclass AND i.indisreplident
             ORDER BY k.ord
            """;

    private static final String TABLES_OF_SCHEMA = """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition
             ORDER BY c.relname
            """;

    /** A literal, optionally cast: 7, -1.5, true, 'text'::character varying, '2024-01-01'::date. */
    private static final Pattern CONSTANT = Pattern.compile(
            "\\(?(-?[0-9.]+|true|false|'(?:[^']|'')*')\\)?(::[a-z ]+(\\([0-9, ]+\\))?)*");

    private final Connection connection;

    public SourceCatalog(Connection connection) {
        this.connection = connection;
    }

    /** Ordinary and partitioned tables of a schema (partitions are captured through their parent). */
    public List<TableId> tablesOf(String schema) throws SQLException {
        List<TableId> tables = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(TABLES_OF_SCHEMA)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return tables;
    }

    /** The table's model; empty when there is no such table (also when it was renamed or dropped while read). */
    public Optional<SourceTable> table(TableId id) throws SQLException {
        try {
            return read(id);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table: gone between the queries
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<SourceTable> read(TableId id) throws SQLException {
        Character identity = replicaIdentity(id);
        if (identity == null) {
            return Optional.empty();
        }
        String regclass = id.quoted();
        List<SourceColumn> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, regclass);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int precision = intOr(rs, "num_precision", intOr(rs, "dt_precision", -1));
                    columns.add(new SourceColumn(rs.getString("attname"), rs.getInt("attnum"), rs.getString("base_type"),
                            rs.getString("formatted"), rs.getString("category").charAt(0), rs.getBoolean("is_array"),
                            rs.getBoolean("nullable"), intOr(rs, "char_len", -1), precision, intOr(rs, "num_scale", -1),
                            rs.getBoolean("is_identity"), rs.getString("default_expr"), rs.getBoolean("is_generated"),
                            labels(rs.getArray("enum_labels"))));
                }
            }
        }
        List<String> key = names(PRIMARY_KEY, regclass);
        if (key.isEmpty() && identity == 'i') {
            // The replica identity index identifies rows in the WAL (and keys Debezium's events): on
            // the target it is the primary key, which upserts, deletes, backfill and verify key by.
            key = names(IDENTITY_INDEX, regclass);
        }
        List<String> rowKey = key;
        List<List<String>> unique = uniqueKeys(regclass).stream().filter(u -> !u.equals(rowKey)).toList();
        return Optional.of(new SourceTable(id, columns, key, unique, identity));
    }

    private List<String> names(String query, String regclass) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(query)) {
            ps.setString(1, regclass);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /**
     * The value rows that existed before the column was added got, as text: PostgreSQL's "missing
     * value" of ADD COLUMN ... DEFAULT, or (after a table rewrite dropped it) the column's default
     * when that is a constant. Empty for no default or a non-constant one (now(), nextval(), ...).
     */
    public Optional<String> missingValue(TableId id, SourceColumn column) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(MISSING_VALUE)) {
            ps.setString(1, id.quoted());
            ps.setString(2, column.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return Optional.ofNullable(rs.getString(2));
                }
            }
        }
        String expression = column.defaultExpression();
        if (expression == null || !CONSTANT.matcher(expression).matches()) {
            return Optional.empty();
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT (" + expression + ")::text")) {
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private List<List<String>> uniqueKeys(String regclass) throws SQLException {
        Map<Long, List<String>> keys = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(UNIQUE_KEYS)) {
            ps.setString(1, regclass);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return new ArrayList<>(keys.values());
    }

    private static List<String> labels(java.sql.Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    public Map<TableId, SourceTable> tables(List<TableId> ids) throws SQLException {
        Map<TableId, SourceTable> result = new LinkedHashMap<>();
        for (TableId id : ids) {
            table(id).ifPresent(t -> result.put(id, t));
        }
        return result;
    }

    private Character replicaIdentity(TableId id) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""")) {
            ps.setString(1, id.schema());
            ps.setString(2, id.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1).charAt(0) : null;
            }
        }
    }

    private static int intOr(ResultSet rs, String column, int fallback) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? fallback : value;
    }
}
