package io.greenlight.dialect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.schema.SourceColumn;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns Debezium's Kafka Connect values into parameters for a PostgreSQL target. Every value but
 * bytea is bound as PostgreSQL input text with an unspecified type ({@link Types#OTHER}), so the
 * server parses it as the column's own type: numerics, NaN and ±Infinity, json, uuid, enums,
 * intervals, ranges and network types arrive exactly as the source wrote them.
 */
final class PostgresValueBinder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigDecimal MONEY_EXACT = new BigDecimal(MySqlTypeMapper.MONEY_EXACT);

    void bind(PreparedStatement ps, int index, SourceColumn column, Schema schema, Object value, boolean accepted)
            throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.OTHER);
        } else if ("bytea".equals(column.typeName()) && !column.array()) {
            ps.setBytes(index, MySqlValueBinder.bytes(value));
        } else {
            ps.setObject(index, text(column, schema, value, accepted), Types.OTHER);
        }
    }

    /** What {@link #bind} sets: the value's input text, its bytes for bytea, null for NULL. */
    Object value(SourceColumn column, Schema schema, Object value, boolean accepted) {
        if (value == null) {
            return null;
        }
        if ("bytea".equals(column.typeName()) && !column.array()) {
            return MySqlValueBinder.bytes(value);
        }
        return text(column, schema, value, accepted);
    }

    private static String text(SourceColumn column, Schema schema, Object value, boolean accepted) {
        if (value instanceof List<?> items) {
            return array(column, schema == null ? null : schema.valueSchema(), items);
        }
        if ("hstore".equals(column.typeName()) && value instanceof String json) {
            return hstore(json);
        }
        if ("money".equals(column.typeName())) {
            // exact decimal text (streamed), a BigDecimal (backfill), or a double's text (Debezium's initial snapshot)
            BigDecimal amount = value instanceof BigDecimal exact ? exact : new BigDecimal(value.toString());
            if (MySqlTypeMapper.moneyThroughDouble(value) && amount.abs().compareTo(MONEY_EXACT) > 0 && !accepted) {
                throw new LossyValueException("money value " + value + " is beyond ±" + MONEY_EXACT
                        + ", where the connector's double may have changed its cents");
            }
            return amount.toPlainString();
        }
        if (("numeric".equals(column.typeName()) || "money".equals(column.typeName())) && value instanceof String text) {
            return numeric(text);
        }
        return scalar(column, schema, value);
    }

    /** Exact decimal text; the connector spells numeric ±Infinity as Java's constants. */
    private static String numeric(String text) {
        return switch (text) {
            case "POSITIVE_INFINITY" -> "Infinity";
            case "NEGATIVE_INFINITY" -> "-Infinity";
            default -> text;
        };
    }

    /** One value (or array element) as PostgreSQL input text. */
    private static String scalar(SourceColumn column, Schema schema, Object value) {
        String semantic = schema == null ? null : schema.name();
        if (semantic != null) {
            switch (semantic) {
                case "io.debezium.time.Date":
                    return PostgresText.date(((Number) value).longValue());
                case "io.debezium.time.Time":
                    return TemporalText.timeOfDay(((Number) value).longValue() * 1_000L);
                case "io.debezium.time.MicroTime":
                    return TemporalText.timeOfDay(((Number) value).longValue());
                case "io.debezium.time.NanoTime":
                    return TemporalText.timeOfDay(((Number) value).longValue() / 1_000L);
                case "io.debezium.time.Timestamp":
                    return PostgresText.millis(((Number) value).longValue());
                case "io.debezium.time.MicroTimestamp":
                    return PostgresText.micros(((Number) value).longValue());
                case "io.debezium.time.NanoTimestamp":
                    return PostgresText.nanos(((Number) value).longValue());
                case "io.debezium.data.Bits":
                    return BitText.bits(column, MySqlValueBinder.bytes(value));
                case "io.debezium.time.ZonedTimestamp":
                    return TemporalText.negativeInfinityElement((String) value) ? "-infinity" : (String) value;
                case "io.debezium.data.VariableScaleDecimal":
                    Struct decimal = (Struct) value;
                    return new BigDecimal(new BigInteger(decimal.getBytes("value")), decimal.getInt32("scale")).toPlainString();
                case "io.debezium.data.geometry.Point":
                    Struct point = (Struct) value;
                    return "(" + point.getFloat64("x") + "," + point.getFloat64("y") + ")";
                default:
                    break; // ZonedTime/ZonedTimestamp, Json, Uuid, Enum, Xml, ISO intervals: already PostgreSQL input text
            }
        }
        if (value instanceof Boolean b) {
            // bit(1) arrives as a boolean
            return "bit".equals(column.typeName()) ? (b ? "1" : "0") : b.toString();
        }
        if (value instanceof byte[] || value instanceof java.nio.ByteBuffer) {
            byte[] bytes = MySqlValueBinder.bytes(value);
            // bytea array elements in hex input form; unknown types arrive as the bytes of their text form
            return "bytea".equals(column.typeName()) ? "\\x" + HexFormat.of().formatHex(bytes)
                    : new String(bytes, StandardCharsets.UTF_8);
        }
        if (value instanceof Struct || value instanceof Map<?, ?>) {
            throw new LossyValueException("structured value " + value + " has no PostgreSQL input form", false);
        }
        return value.toString(); // integers; floats in shortest round-trip form, NaN and Infinity included
    }

    /** A one- or more-dimensional array literal, every element quoted: {"1",NULL,"a \"b\""}. */
    private static String array(SourceColumn column, Schema elementSchema, List<?> items) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            out.append(i == 0 ? "" : ",");
            if (item == null) {
                out.append("NULL");
            } else if (item instanceof List<?> nested) {
                out.append(array(column, elementSchema == null ? null : elementSchema.valueSchema(), nested));
            } else if (item instanceof String text && "numeric".equals(column.typeName())) {
                out.append(quoted(numeric(text)));
            } else {
                out.append(quoted(scalar(column, elementSchema, item)));
            }
        }
        return out.append('}').toString();
    }

    /** hstore arrives as a JSON object of strings (hstore.handling.mode=json). */
    private static String hstore(String json) {
        JsonNode object;
        try {
            object = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new LossyValueException("hstore value is not the connector's JSON object: " + e.getOriginalMessage(), false);
        }
        StringBuilder out = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            out.append(out.isEmpty() ? "" : ", ").append(quoted(entry.getKey())).append("=>")
                    .append(entry.getValue().isNull() ? "NULL" : quoted(entry.getValue().asText()));
        }
        return out.toString();
    }

    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
