package io.greenlight.verify;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.TableId;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The SQL that hashes a key range inside each database: per range, the row count and the sum of
 * the first 64 bits of MD5 over one canonical text per row (order-independent; PostgreSQL reads
 * the bits as a signed, MySQL as an unsigned integer, so the sums are compared modulo 2^64), built so that
 * PostgreSQL and MySQL/MariaDB print the same text for the same value across the type mapping
 * (numeric without trailing zeros, booleans as 1/0, timestamps as UTC wall time to the
 * microsecond with their era, bytea/BLOB as lower-case hex, text exact and length-prefixed,
 * char without its padding). The text may be stricter than the row comparison (json text as
 * stored: a range whose json is written differently is compared row by row, which decides), never
 * looser: equal texts mean equal canonical values.
 *
 * <p>A table qualifies when its key is integral (ranges are bounded by key values both engines
 * order alike) and, for a MySQL/MariaDB target, every compared column has such a text
 * ({@link #unsupported}); otherwise it is compared by streaming rows.
 */
final class RangeSql {

    /** PostgreSQL types stored as their text on MySQL/MariaDB (read back with the same text). */
    private static final Set<String> TEXT_TYPES = Set.of("text", "varchar", "citext", "name", "uuid", "inet", "cidr",
            "macaddr", "macaddr8", "varbit", "xml", "tsvector", "tsquery", "interval", "point", "line", "lseg", "box",
            "path", "polygon", "circle", "ltree", "int4range", "int8range", "numrange", "daterange", "tsrange");

    private final TableQueries q;

    RangeSql(TableQueries q) {
        this.q = q;
    }

    /**
     * Why the table cannot be hashed in the databases (empty: it can): the reason names the
     * columns and is logged, the table is then compared by streaming rows.
     */
    Optional<String> unsupported() {
        if (!q.keyed()) {
            return Optional.of("no primary key");
        }
        List<String> keys = new ArrayList<>();
        for (int k : q.key) {
            if (q.kinds[k] != ValueKind.INTEGER) {
                keys.add(q.columns.get(k).name() + " (" + q.columns.get(k).typeName() + ")");
            }
        }
        if (!keys.isEmpty()) {
            return Optional.of("key column(s) " + String.join(", ", keys) + " not integral");
        }
        if (q.sameEngine) {
            return Optional.empty();
        }
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < q.columns.size(); i++) {
            if (targetText(i) == null) {
                columns.add(q.columns.get(i).name() + " (" + q.columns.get(i).formatted() + ")");
            }
        }
        return columns.isEmpty() ? Optional.empty()
                : Optional.of("column(s) " + String.join(", ", columns) + " have no identical text in SQL on both engines");
    }

    /** Keys of every {@code every}-th row of the source after {@code after} (null: from the start), in key order. */
    String sourceBoundaries(boolean after, int every) {
        String keys = keyList(TableId::quoteIdentifier);
        return "SELECT " + keys + " FROM (SELECT " + keys + ", row_number() OVER (ORDER BY " + keys + ") AS greenlight_rn FROM "
                + q.sourceTable() + (after ? " WHERE " + keyRow(TableId::quoteIdentifier) + " > " + params() : "")
                + ") s WHERE greenlight_rn % " + every + " = 0 ORDER BY " + keys;
    }

    String sourceHash(boolean lower, boolean upper) {
        return hash(false, lower, upper);
    }

    String targetHash(boolean lower, boolean upper) {
        return hash(true, lower, upper);
    }

    /** The rows of a range in key order, read like a full scan. */
    String sourceRows(boolean lower, boolean upper) {
        return "SELECT " + columnList(TableId::quoteIdentifier) + " FROM " + q.sourceTable()
                + where(TableId::quoteIdentifier, lower, upper) + " ORDER BY " + keyList(TableId::quoteIdentifier);
    }

    String targetRows(boolean lower, boolean upper) {
        Function<String, String> quote = targetQuote();
        return "SELECT " + columnList(quote) + " FROM " + q.targetTable() + where(quote, lower, upper)
                + " ORDER BY " + keyList(quote);
    }

    /** Binds the exclusive lower and the inclusive upper bound (either may be null: open), from parameter 1. */
    void bind(PreparedStatement ps, Object[] lower, Object[] upper) throws SQLException {
        int p = 1;
        for (Object[] bound : new Object[][]{lower, upper}) {
            if (bound != null) {
                for (Object v : bound) {
                    ps.setLong(p++, (Long) v);
                }
            }
        }
    }

    private String hash(boolean targetSide, boolean lower, boolean upper) {
        Function<String, String> quote = targetSide ? targetQuote() : TableId::quoteIdentifier;
        boolean mysql = targetSide && !q.sameEngine;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < q.columns.size(); i++) {
            texts.add(mysql ? targetText(i) : sourceText(i));
        }
        String table = targetSide ? q.targetTable() : q.sourceTable();
        if (mysql) {
            return "SELECT COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTRING(h, 1, 16), 16, 10) AS UNSIGNED)), 0) "
                    + "FROM (SELECT MD5(CONCAT_WS('|', "
                    + String.join(", ", texts) + ")) AS h FROM " + table + where(quote, lower, upper) + ") s";
        }
        return "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0) "
                + "FROM (SELECT md5(concat_ws('|', "
                + String.join(", ", texts) + ")) AS h FROM " + table + where(quote, lower, upper) + ") s";
    }

    /** Column {@code i}'s canonical text on PostgreSQL ('N' for NULL). */
    private String sourceText(int i) {
        String c = TableId.quoteIdentifier(q.columns.get(i).name());
        if (q.sameEngine) { // both sides print the same type: its own text is exact
            return prefixed(c + "::text", false);
        }
        SourceColumn column = q.columns.get(i);
        String text = switch (q.kinds[i]) {
            case INTEGER -> c + "::text";
            case BOOLEAN -> c + "::int::text";
            case DECIMAL -> {
                String t = column.typeName().equals("money") ? c + "::numeric::text" : c + "::text";
                yield "CASE WHEN strpos(" + t + ", '.') > 0 THEN rtrim(rtrim(" + t + ", '0'), '.') ELSE " + t + " END";
            }
            case TEXT, JSON -> null;
            case CHAR -> null;
            case BYTES -> "encode(" + c + ", 'hex')";
            case DATE -> "CASE WHEN isfinite(" + c + ") THEN to_char(" + c + ", 'YYYY-MM-DD BC') ELSE " + c + "::text END";
            case TIME -> "to_char(" + c + ", 'HH24:MI:SS.US')";
            case TIMESTAMP -> "CASE WHEN isfinite(" + c + ") THEN to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS.US BC') ELSE "
                    + c + "::text END";
            case TIMESTAMPTZ -> "CASE WHEN isfinite(" + c + ") THEN to_char(" + c + " AT TIME ZONE 'UTC', "
                    + "'YYYY-MM-DD HH24:MI:SS.US BC') ELSE " + c + "::text END";
            default -> throw new IllegalStateException("column " + column.name() + " has no SQL text");
        };
        if (text == null) {
            return prefixed(q.kinds[i] == ValueKind.CHAR ? "rtrim(" + c + "::text, ' ')" : c + "::text", false);
        }
        return "coalesce(" + text + ", 'N')";
    }

    /** Column {@code i}'s canonical text on MySQL/MariaDB, identical to {@link #sourceText}; null: none. */
    private String targetText(int i) {
        SourceColumn column = q.columns.get(i);
        String c = targetQuote().apply(column.name());
        String chars = "CAST(" + c + " AS CHAR CHARACTER SET utf8mb4)";
        String text = switch (q.kinds[i]) {
            case INTEGER -> chars;
            case BOOLEAN -> "CAST((" + c + " <> 0) AS CHAR CHARACTER SET utf8mb4)";
            case DECIMAL -> "IF(INSTR(" + chars + ", '.') > 0, TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM " + chars
                    + ")), " + chars + ")";
            case TEXT -> TEXT_TYPES.contains(column.typeName()) || !column.enumLabels().isEmpty() ? "" : null;
            case JSON, CHAR -> "";
            case BYTES -> "LOWER(HEX(" + c + "))";
            case DATE -> "CONCAT(DATE_FORMAT(" + c + ", '%Y-%m-%d'), ' AD')";
            case TIME -> "TIME_FORMAT(" + c + ", '%H:%i:%s.%f')";
            case TIMESTAMP, TIMESTAMPTZ -> "CONCAT(DATE_FORMAT(" + c + ", '%Y-%m-%d %H:%i:%s.%f'), ' AD')";
            case FLOAT4, FLOAT8, ARRAY, UTC_RANGE -> null;
        };
        if (text == null) {
            return null;
        }
        if (text.isEmpty()) {
            return prefixed(q.kinds[i] == ValueKind.CHAR ? "TRIM(TRAILING ' ' FROM " + chars + ")" : chars, true);
        }
        return "COALESCE(" + text + ", 'N')";
    }

    /** {@code length:text}, or 'N' for NULL: a text of any content cannot run into the next column. */
    private static String prefixed(String value, boolean mysql) {
        return mysql ? "COALESCE(CONCAT(CHAR_LENGTH(" + value + "), ':', " + value + "), 'N')"
                : "coalesce(length(" + value + ")::text || ':' || " + value + ", 'N')";
    }

    private Function<String, String> targetQuote() {
        return q.sameEngine ? TableId::quoteIdentifier : q.targetQuote();
    }

    private String where(Function<String, String> quote, boolean lower, boolean upper) {
        List<String> terms = new ArrayList<>();
        if (lower) {
            terms.add(keyRow(quote) + " > " + params());
        }
        if (upper) {
            terms.add(keyRow(quote) + " <= " + params());
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }

    private String keyRow(Function<String, String> quote) {
        return q.key.length == 1 ? keyList(quote) : "(" + keyList(quote) + ")";
    }

    private String params() {
        return q.key.length == 1 ? "?" : "(" + java.util.Arrays.stream(q.key).mapToObj(k -> "?").collect(Collectors.joining(", ")) + ")";
    }

    private String keyList(Function<String, String> quote) {
        return java.util.Arrays.stream(q.key).mapToObj(k -> quote.apply(q.columns.get(k).name())).collect(Collectors.joining(", "));
    }

    private String columnList(Function<String, String> quote) {
        return q.columns.stream().map(c -> quote.apply(c.name())).collect(Collectors.joining(", "));
    }
}
