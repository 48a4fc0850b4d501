package io.greenlight.verify;

import io.greenlight.capture.PostgresTextForms;
import io.greenlight.schema.SourceColumn;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * How one logical type is read from each side into one canonical form. Mirrors the MySQL
 * mapping of dialect/MySqlTypeMapper and MySqlValueBinder: arrays and json as JSON, timestamptz
 * as UTC wall time in DATETIME(6), timestamp as wall time, bool as TINYINT(1), uuid as CHAR(36),
 * bpchar as CHAR (trailing spaces not significant), everything else unknown as text.
 */
enum ValueKind {
    INTEGER, FLOAT4, FLOAT8, DECIMAL, BOOLEAN, TEXT, CHAR, BYTES, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, JSON, ARRAY,
    /** tstzrange / tstzmultirange: text with the bounds in UTC, whatever the session's time zone. */
    UTC_RANGE;

    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

    static ValueKind of(SourceColumn column) {
        if (column.array()) {
            return ARRAY;
        }
        return switch (column.typeName()) {
            case "int2", "int4", "int8", "oid" -> INTEGER;
            case "float4" -> FLOAT4;
            case "float8" -> FLOAT8;
            case "numeric", "money" -> DECIMAL;
            case "bool" -> BOOLEAN;
            case "bpchar" -> CHAR;
            case "bytea" -> BYTES;
            case "date" -> DATE;
            case "time" -> TIME;
            case "timestamp" -> TIMESTAMP;
            case "timestamptz" -> TIMESTAMPTZ;
            case "json", "jsonb" -> JSON;
            case "tstzrange", "tstzmultirange" -> UTC_RANGE;
            default -> TEXT;
        };
    }

    /** Reads column {@code i} of a PostgreSQL row; null stays null. */
    Object readSource(ResultSet rs, int i) throws SQLException {
        Object value = switch (this) {
            case INTEGER -> rs.getLong(i);
            case FLOAT4 -> rs.getFloat(i);
            case FLOAT8 -> rs.getDouble(i);
            case DECIMAL -> decimal(rs, i);
            case BOOLEAN -> rs.getBoolean(i);
            case TEXT -> rs.getString(i);
            case CHAR -> stripTrailingSpaces(rs.getString(i));
            case BYTES -> bytes(rs.getBytes(i));
            case DATE -> {
                LocalDate d = rs.getObject(i, LocalDate.class);
                yield d == null ? null : d.toString();
            }
            case TIME -> time(rs.getString(i));
            case TIMESTAMP -> {
                LocalDateTime t = rs.getObject(i, LocalDateTime.class);
                yield t == null ? null : micros(t.toInstant(ZoneOffset.UTC));
            }
            case TIMESTAMPTZ -> {
                OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                yield t == null ? null : micros(t.toInstant());
            }
            case JSON -> {
                String s = rs.getString(i);
                yield s == null ? null : CanonicalJson.of(s);
            }
            case ARRAY -> array(rs, i);
            case UTC_RANGE -> {
                String range = rs.getString(i);
                yield range == null ? null : range.startsWith("{") ? PostgresTextForms.utcMultirange(range)
                        : PostgresTextForms.utcRange(range);
            }
        };
        return rs.wasNull() ? null : value;
    }

    /** An exact decimal; PostgreSQL's NaN and ±Infinity (no BigDecimal) as their text. */
    private static Object decimal(ResultSet rs, int i) throws SQLException {
        try {
            var d = rs.getBigDecimal(i);
            return d == null ? null : Canonical.decimal(d);
        } catch (SQLException notFinite) {
            String text = rs.getString(i);
            if (text == null || !(text.equals("NaN") || text.endsWith("Infinity"))) {
                throw notFinite;
            }
            return text;
        }
    }

    /** An array as JSON; one the driver cannot convert (numeric NaN or ±Infinity elements) from its text. */
    private static Object array(ResultSet rs, int i) throws SQLException {
        java.sql.Array a = rs.getArray(i);
        if (a == null) {
            return null;
        }
        try {
            return CanonicalJson.ofArray((Object[]) a.getArray());
        } catch (SQLException notFinite) {
            List<Object> items = PostgresTextForms.array(rs.getString(i), ',');
            return CanonicalJson.ofArray(items.stream().map(ValueKind::number).toArray());
        }
    }

    private static Object number(Object element) {
        if (element instanceof String text) {
            try {
                return new java.math.BigDecimal(text);
            } catch (NumberFormatException e) {
                return text; // NaN, Infinity
            }
        }
        return element instanceof List<?> nested ? nested.stream().map(ValueKind::number).toArray() : element;
    }

    /** Reads column {@code i} of a MySQL/MariaDB row (times as text: no driver time-zone conversion). */
    Object readTarget(ResultSet rs, int i) throws SQLException {
        Object value = switch (this) {
            case INTEGER, FLOAT4, FLOAT8, BOOLEAN, TEXT, CHAR, BYTES -> readSource(rs, i);
            case DECIMAL -> {
                // As text: exact for DECIMAL and for a numeric too wide for any DECIMAL, stored as text.
                String text = rs.getString(i);
                yield text == null ? null : Canonical.decimal(new java.math.BigDecimal(text));
            }
            case UTC_RANGE -> rs.getString(i);
            case DATE -> rs.getString(i);
            case TIME -> time(rs.getString(i));
            case TIMESTAMP, TIMESTAMPTZ -> {
                String s = rs.getString(i);
                yield s == null ? null : micros(LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
            }
            case JSON, ARRAY -> {
                String s = rs.getString(i);
                yield s == null ? null : CanonicalJson.of(s);
            }
        };
        return rs.wasNull() ? null : value;
    }

    /** Key order as both engines sort (text keys: code points on both sides). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    int compare(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof String x && b instanceof String y) {
            return Canonical.compareText(x, y);
        }
        return ((Comparable) a).compareTo(b);
    }

    /** Whether PostgreSQL must sort this key column as text in "C" order to match the target. */
    boolean sortsAsText() {
        return this == TEXT || this == CHAR;
    }

    /** A canonical key value as text for {@code CAST(? AS type)} on PostgreSQL. */
    String sourceParameter(Object value) {
        return switch (this) {
            case TIMESTAMP -> DATETIME.format(LocalDateTime.ofInstant(instant((Long) value), ZoneOffset.UTC));
            case TIMESTAMPTZ -> DATETIME.format(LocalDateTime.ofInstant(instant((Long) value), ZoneOffset.UTC)) + "+00";
            case TIME -> LocalTime.ofNanoOfDay((Long) value * 1000).toString();
            default -> Canonical.text(value);
        };
    }

    /** Binds a canonical key value for an equality match on the target. */
    void bindTarget(PreparedStatement ps, int index, Object value) throws SQLException {
        switch (this) {
            case TIMESTAMP, TIMESTAMPTZ -> ps.setString(index, sourceParameter(value));
            case TIME -> ps.setString(index, sourceParameter(value));
            case BYTES -> ps.setBytes(index, ((Canonical.Bytes) value).value());
            case DECIMAL -> ps.setBigDecimal(index, (java.math.BigDecimal) value);
            default -> ps.setObject(index, value);
        }
    }

    private static Object bytes(byte[] b) {
        return b == null ? null : new Canonical.Bytes(b);
    }

    private static String stripTrailingSpaces(String s) {
        if (s == null) {
            return null;
        }
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    private static Long time(String s) {
        if (s == null) {
            return null;
        }
        // PostgreSQL's 24:00:00 (end of day) is kept as such by the target's TIME.
        return s.startsWith("24:") ? 86_400_000_000L : LocalTime.parse(s).toNanoOfDay() / 1000;
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }
}
