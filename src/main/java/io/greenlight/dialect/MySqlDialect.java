package io.greenlight.dialect;

import io.greenlight.schema.NumericExtent;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import org.apache.kafka.connect.data.Schema;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** MySQL 8.0+ and MariaDB 10.11+: one dialect, asking {@link MySqlServer} where they differ. */
public final class MySqlDialect implements Dialect {

    /** MySQL's identifier limit, in characters. */
    static final int MAX_IDENTIFIER = 64;
    /** The row alias of MySQL's upsert; MariaDB uses VALUES(col) instead. */
    private static final String ROW = "_greenlight_new";
    /**
     * Session settings the SQL below relies on: strict (errors, not warnings, for bad values), UTC,
     * and a key 0 written as 0 (without NO_AUTO_VALUE_ON_ZERO an AUTO_INCREMENT column takes 0 as
     * "generate the next id", in upserts, LOAD DATA and ALTER TABLE alike).
     */
    static final String SESSION = "sessionVariables=sql_mode='STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
            + "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO',time_zone='%2B00:00'"; // '+' URL-encoded
    /** PAD SPACE binary: CHAR columns compare as PostgreSQL's char(n), ignoring trailing spaces. */
    private static final String PAD_SPACE_BINARY = "utf8mb4_bin";
    /** MySQL/MariaDB error "Subquery returns more than 1 row": raised on purpose by the upsert's key guard. */
    private static final int GUARD_ERROR = 1242;

    private final MySqlServer server;
    private final LossyPolicy lossy;
    private final MySqlTypeMapper types = new MySqlTypeMapper();
    private final MySqlRowFit rows = new MySqlRowFit(types);
    private final MySqlValueBinder binder = new MySqlValueBinder();

    public MySqlDialect(MySqlServer server, LossyPolicy lossy) {
        this.server = server;
        this.lossy = lossy;
    }

    public MySqlDialect() {
        this(MySqlServer.MARIADB_10_11, LossyPolicy.none());
    }

    @Override
    public String name() {
        return server.mariaDb() ? "mariadb" : "mysql";
    }

    @Override
    public String quote(String identifier) {
        if (identifier.isEmpty() || identifier.codePointCount(0, identifier.length()) > MAX_IDENTIFIER) {
            throw new IllegalArgumentException("Identifier '" + identifier + "' is empty or longer than MySQL's "
                    + MAX_IDENTIFIER + " characters; rename it on the source before migrating");
        }
        if (identifier.codePoints().anyMatch(cp -> cp == 0 || cp > 0xFFFF)) {
            throw new IllegalArgumentException("Identifier '" + identifier + "' contains a character MySQL identifiers "
                    + "cannot hold (NUL, or beyond U+FFFF such as emoji); rename it on the source before migrating");
        }
        if (identifier.endsWith(" ")) {
            throw new IllegalArgumentException("Identifier '" + identifier + "' ends with a space, which MySQL does not "
                    + "allow; rename it on the source before migrating");
        }
        return '`' + identifier.replace("`", "``") + '`';
    }

    /** MySQL and MariaDB compare column names without regard to case, on every platform. */
    @Override
    public String columnNameKey(String column) {
        return column.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String tableName(SourceTable table) {
        return quote(table.id().table());
    }

    @Override
    public TypeMapping mapping(SourceTable table, SourceColumn column) {
        SourceColumn stored = sized(table, column);
        if (stored != column) {
            NumericExtent extent = table.numericExtent(column.name()).orElseThrow();
            String measured = "unconstrained, sized from the values (up to " + extent.integerDigits() + " integer and "
                    + extent.scale() + " fraction digits)";
            return "text".equals(stored.typeName())
                    ? types.map(stored, table.keyWidth(column.name())).withNote(measured + ": no DECIMAL holds them, "
                    + "stored as exact text")
                    : types.map(stored, table.keyWidth(column.name())).withNote(measured
                    + "; a later value with more digits widens it while a DECIMAL holds them, else pauses the table");
        }
        int checkedLength = rows.checkedLength(table, column);
        if (checkedLength > 0) {
            return TypeMapping.exact("TEXT", "the table's columns exceed MySQL's 65,535-byte row: the widest VARCHARs "
                    + "are stored as TEXT, their length checked by CHECK (CHAR_LENGTH(column) <= " + checkedLength + ")");
        }
        return types.map(column, table.keyWidth(column.name()));
    }

    @Override
    public String createTable(SourceTable table) {
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(tableName(table)).append(" (");
        sql.append(table.columns().stream().map(c -> columnDefinition(table, c)).collect(Collectors.joining(", ")));
        if (table.hasPrimaryKey()) {
            sql.append(", PRIMARY KEY (").append(quoteAll(table.primaryKey())).append(')');
        }
        for (List<String> unique : table.uniqueKeys()) {
            sql.append(", UNIQUE KEY (").append(quoteAll(unique)).append(')');
        }
        return sql.append(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=").append(server.noPadBinaryCollation()).toString();
    }

    private String columnDefinition(SourceTable table, SourceColumn column) {
        boolean key = table.primaryKey().contains(column.name());
        StringBuilder sql = new StringBuilder(quote(column.name())).append(' ').append(columnType(table, column));
        if ((!column.nullable() && !column.generated()) || key) {
            sql.append(" NOT NULL");
        }
        if (key && table.primaryKey().size() == 1 && types.isAutoIncrement(column)) {
            sql.append(" AUTO_INCREMENT");
        }
        return sql.toString();
    }

    /**
     * The mapped type with what the column needs beyond it: CHAR keeps PAD SPACE comparison (the
     * table's default is NO PAD), a VARCHAR stored as TEXT to fit the row keeps its length check,
     * and MariaDB's JSON (text whose own collation is PAD SPACE utf8mb4_bin) takes the table's
     * collation, so that the application can compare or concatenate it with the table's text.
     */
    private String columnType(SourceTable table, SourceColumn column) {
        String type = mapping(table, column).sqlType();
        if (type.startsWith("CHAR(")) {
            return type + " COLLATE " + PAD_SPACE_BINARY;
        }
        if (type.equals("JSON") && server.mariaDb()) {
            return type + " COLLATE " + server.noPadBinaryCollation();
        }
        int checkedLength = rows.checkedLength(table, column);
        if (checkedLength > 0) {
            return type + " CHECK (CHAR_LENGTH(" + quote(column.name()) + ") <= " + checkedLength + ")";
        }
        return type;
    }

    @Override
    public String addColumn(SourceTable table, SourceColumn column) {
        return "ALTER TABLE " + tableName(table) + " ADD COLUMN " + quote(column.name()) + " "
                + columnType(table, column) + " NULL";
    }

    @Override
    public String modifyColumn(SourceTable table, SourceColumn column) {
        return "ALTER TABLE " + tableName(table) + " MODIFY COLUMN " + columnDefinition(table, column);
    }

    @Override
    public String dropIndex(SourceTable table, String name) {
        return "DROP INDEX " + quote(name) + " ON " + tableName(table);
    }

    @Override
    public String backfillColumn(SourceTable table, SourceColumn column) {
        return "UPDATE " + tableName(table) + " SET " + quote(column.name()) + " = ? WHERE " + quote(column.name())
                + " IS NULL";
    }

    /**
     * Insert, or update the row with the same primary key. ON DUPLICATE KEY UPDATE also fires on a
     * secondary unique key, which would overwrite a different row: the first assignment keeps the key
     * when it matches and otherwise raises "Subquery returns more than 1 row" ({@link #isOtherRowMatch}).
     */
    @Override
    public String upsert(SourceTable table, List<String> columns) {
        List<String> updatable = columns.stream().filter(c -> !table.primaryKey().contains(c)).toList();
        String first = table.primaryKey().get(0);
        String sameKey = table.primaryKey().stream().map(k -> quote(k) + " <=> " + incoming(k))
                .collect(Collectors.joining(" AND "));
        String guard = quote(first) + " = IF(" + sameKey + ", " + quote(first) + ", (SELECT 1 UNION ALL SELECT 2))";
        String update = updatable.stream().map(c -> quote(c) + " = " + incoming(c)).collect(Collectors.joining(", "));
        return insert(table, columns) + (server.rowAlias() ? " AS " + ROW : "") + " ON DUPLICATE KEY UPDATE " + guard
                + (update.isEmpty() ? "" : ", " + update);
    }

    private String incoming(String column) {
        return server.rowAlias() ? ROW + "." + quote(column) : "VALUES(" + quote(column) + ")";
    }

    @Override
    public boolean isOtherRowMatch(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == GUARD_ERROR) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String delete(SourceTable table, List<String> matchColumns) {
        String where = matchColumns.stream().map(c -> quote(c) + " <=> " + parameter(table, c))
                .collect(Collectors.joining(" AND "));
        // A keyless table may hold identical rows: a delete event removes exactly one of them.
        return "DELETE FROM " + tableName(table) + " WHERE " + where + (table.hasPrimaryKey() ? "" : " LIMIT 1");
    }

    /** MySQL's binary JSON never equals a string parameter; compare it as JSON. */
    private String parameter(SourceTable table, String column) {
        boolean json = table.column(column).map(c -> "JSON".equals(mapping(table, c).sqlType())).orElse(false);
        return json && server.jsonIsBinary() ? "CAST(? AS JSON)" : "?";
    }

    @Override
    public String truncate(SourceTable table) {
        return "TRUNCATE TABLE " + tableName(table);
    }

    @Override
    public boolean truncateCommitsImplicitly() {
        return true;
    }

    @Override
    public String createOffsetsTable() {
        return "CREATE TABLE IF NOT EXISTS greenlight_offsets (topic VARCHAR(249) NOT NULL, "
                + "kafka_partition INT NOT NULL, next_offset BIGINT NOT NULL, "
                + "last_commit_lsn BIGINT NULL, lsn BIGINT NULL, source_ts_ms BIGINT NULL, lsn_rank TINYINT NOT NULL DEFAULT 0, "
                + "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), "
                + "PRIMARY KEY (topic, kafka_partition)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    @Override
    public String createSchemaTable() {
        return "CREATE TABLE IF NOT EXISTS greenlight_schema (table_name VARCHAR(512) NOT NULL PRIMARY KEY, "
                + "definition LONGTEXT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    @Override
    public String upsertSchema() {
        return "INSERT INTO greenlight_schema (table_name, definition) VALUES (?, ?) ON DUPLICATE KEY UPDATE "
                + "definition = VALUES(definition)";
    }

    @Override
    public String upsertOffset() {
        return "INSERT INTO greenlight_offsets (topic, kafka_partition, next_offset, last_commit_lsn, lsn, source_ts_ms, lsn_rank) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset), "
                + "last_commit_lsn = VALUES(last_commit_lsn), lsn = VALUES(lsn), source_ts_ms = VALUES(source_ts_ms), "
                + "lsn_rank = VALUES(lsn_rank)";
    }

    @Override
    public String createCutoverTable() {
        return "CREATE TABLE IF NOT EXISTS greenlight_cutover (id VARCHAR(64) NOT NULL PRIMARY KEY, state VARCHAR(32) NOT NULL, "
                + "record LONGTEXT NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) "
                + "ON UPDATE CURRENT_TIMESTAMP(6)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    @Override
    public String createBackfillTable() {
        // Binary collation: public.CamelCase and public.camelcase are two tables, as on the source.
        return "CREATE TABLE IF NOT EXISTS greenlight_backfill (table_name VARCHAR(255) NOT NULL, chunk INT NOT NULL, "
                + "rows_copied BIGINT NOT NULL, chunks_total INT NOT NULL, done INT NOT NULL, skip_snapshot TEXT NULL, "
                + "PRIMARY KEY (table_name, chunk)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    @Override
    public String upsertCutover() {
        return "INSERT INTO greenlight_cutover (id, state, record) VALUES (?, ?, ?) "
                + "ON DUPLICATE KEY UPDATE state = VALUES(state), record = VALUES(record)";
    }

    @Override
    public String continueKeysAt(SourceTable table, long next) {
        // A number we computed, not input: ALTER TABLE takes no bind parameters.
        return "ALTER TABLE " + tableName(table) + " AUTO_INCREMENT = " + Math.max(1, next);
    }

    @Override
    public void bind(PreparedStatement statement, int index, SourceTable table, SourceColumn column, Schema valueSchema,
                     Object value) throws SQLException {
        binding(table, column).bind(statement, index, valueSchema, value);
    }

    @Override
    public ColumnBinding binding(SourceTable table, SourceColumn column) {
        boolean accepted = lossy.accepts(table.id(), column);
        SourceColumn stored = sized(table, column);
        boolean numericText = stored != column && "text".equals(stored.typeName());
        return new ColumnBinding() {
            @Override
            public void bind(PreparedStatement statement, int index, Schema valueSchema, Object value) throws SQLException {
                binder.bind(statement, index, stored, valueSchema, numericText ? postgresNumericText(value) : value, accepted);
            }

            @Override
            public Object value(Schema valueSchema, Object value) {
                return binder.value(stored, valueSchema, numericText ? postgresNumericText(value) : value, accepted);
            }

            private final MySqlSourceText.Form form = MySqlSourceText.of(column, stored, CONVERTED);

            @Override
            public boolean sourceText(byte[] row, int from, int to, TabSeparatedRows out) {
                return MySqlSourceText.write(form, row, from, to, out);
            }
        };
    }

    /**
     * The source types whose PostgreSQL text MySQL does not take as is, or whose values the binder
     * checks: decimals (fit, NaN), floats (±Infinity), booleans (1/0), bytes, intervals (ISO text),
     * hstore (JSON), bit (a number) and dates and times (range, infinity, UTC). Every other type's
     * text (integers, character types, uuid, json, enums, network types, ranges ...) is stored as is;
     * of these, the usual dates, times, booleans and constrained decimals are still written from
     * their text ({@link MySqlSourceText}).
     */
    private static final java.util.Set<String> CONVERTED = java.util.Set.of("numeric", "money", "float4", "float8", "bool",
            "bytea", "interval", "hstore", "bit", "date", "time", "timetz", "timestamp", "timestamptz");

    /** A numeric stored as text, as PostgreSQL prints it: the connector writes NaN as NAN, ±Infinity as (NEGATIVE_|POSITIVE_)INFINITY. */
    private static Object postgresNumericText(Object value) {
        if (!(value instanceof String text)) {
            return value;
        }
        return switch (text) {
            case "NAN" -> "NaN";
            case "POSITIVE_INFINITY" -> "Infinity";
            case "NEGATIVE_INFINITY" -> "-Infinity";
            default -> text;
        };
    }

    /** MySQL's DECIMAL is fixed-point: unconstrained numeric columns are sized from what they hold. */
    @Override
    public boolean sizesNumericFromValues() {
        return true;
    }

    @Override
    public Optional<NumericExtent> numericExtentOf(String targetType, int precision, int scale) {
        String type = targetType.toUpperCase(java.util.Locale.ROOT);
        if (type.startsWith("DECIMAL")) {
            return Optional.of(new NumericExtent(precision - scale, scale));
        }
        return type.contains("TEXT") || type.contains("CHAR") ? Optional.of(NumericExtent.BEYOND_DECIMAL) : Optional.empty();
    }

    @Override
    public boolean holdsAsNumber(NumericExtent extent) {
        return extent.scale() <= MySqlTypeMapper.MAX_DECIMAL_SCALE
                && extent.integerDigits() + extent.scale() <= MySqlTypeMapper.MAX_DECIMAL_PRECISION;
    }

    /**
     * The column as the target stores it: an unconstrained numeric whose values were measured is
     * DECIMAL(65,s) with the most fraction digits that leaves room for the widest integer part
     * (DECIMAL(65,30) up to 35 integer digits), or exact text when no DECIMAL holds the values.
     */
    private SourceColumn sized(SourceTable table, SourceColumn column) {
        Optional<NumericExtent> extent = table.numericExtent(column.name());
        if (extent.isEmpty() || !"numeric".equals(column.typeName()) || column.precision() > 0 || column.array()) {
            return column;
        }
        int integerDigits = extent.get().integerDigits();
        boolean fits = extent.get().scale() <= MySqlTypeMapper.MAX_DECIMAL_SCALE
                && integerDigits + extent.get().scale() <= MySqlTypeMapper.MAX_DECIMAL_PRECISION;
        return fits ? as(column, "numeric", MySqlTypeMapper.MAX_DECIMAL_PRECISION,
                Math.min(MySqlTypeMapper.MAX_DECIMAL_SCALE, MySqlTypeMapper.MAX_DECIMAL_PRECISION - integerDigits))
                : as(column, "text", -1, -1);
    }

    private static SourceColumn as(SourceColumn c, String type, int precision, int scale) {
        return new SourceColumn(c.name(), c.position(), type, c.formatted(), c.typeCategory(), false, c.nullable(), -1,
                precision, scale, c.identity(), c.defaultExpression(), c.generated(), c.enumLabels());
    }

    /**
     * LOAD DATA LOCAL INFILE from the client's stream. Binary values arrive as hex (UNHEX) and BIT
     * values as their number (LOAD DATA would take the digits' bytes). With LOCAL, bad values and
     * duplicate keys only warn: the backfill treats any warning as a failure.
     */
    @Override
    public Optional<String> bulkLoad(SourceTable table, List<String> columns) {
        List<String> targets = new java.util.ArrayList<>();
        List<String> sets = new java.util.ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i);
            SourceColumn column = table.column(name).orElseThrow();
            String type = mapping(table, column).sqlType();
            if ("bytea".equals(column.typeName()) && !column.array()) {
                targets.add("@v" + i);
                sets.add(quote(name) + " = UNHEX(@v" + i + ")");
            } else if (type.startsWith("BIT(")) {
                targets.add("@v" + i);
                sets.add(quote(name) + " = CAST(@v" + i + " AS UNSIGNED)");
            } else {
                targets.add(quote(name));
            }
        }
        return Optional.of("LOAD DATA LOCAL INFILE 'greenlight-backfill' INTO TABLE " + tableName(table)
                + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ("
                + String.join(", ", targets) + ")" + (sets.isEmpty() ? "" : " SET " + String.join(", ", sets)));
    }

    @Override
    public String bulkLoadUrl(String connectionUrl) {
        return connectionUrl + (connectionUrl.contains("?") ? "&" : "?") + "allowLoadLocalInfile=true";
    }

    static String connectionUrl(String url) {
        StringBuilder result = new StringBuilder(url);
        if (!url.contains("rewriteBatchedStatements")) {
            // Multi-row statements are what make JDBC batches fast on MySQL.
            result.append(result.indexOf("?") >= 0 ? "&" : "?").append("rewriteBatchedStatements=true");
        }
        if (!url.contains("sessionVariables")) {
            result.append(result.indexOf("?") >= 0 ? "&" : "?").append(SESSION);
        }
        return result.toString();
    }

}
