package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;
import java.util.Map;

/**
 * Turns Debezium's Kafka Connect values into JDBC parameters for MySQL/MariaDB, using the
 * semantic schema names Debezium attaches (io.debezium.time.*, io.debezium.data.*).
 * Times are bound as text with all six fraction digits: Connector/J drops fractional seconds
 * for servers reporting version 5.5.5 (MariaDB's compatibility prefix). A value the target cannot
 * hold exactly raises {@link LossyValueException} unless its column's loss was accepted.
 */
final class MySqlValueBinder {

    private static final BigDecimal MONEY_EXACT = new BigDecimal(MySqlTypeMapper.MONEY_EXACT);

    void bind(PreparedStatement ps, int index, SourceColumn column, Schema schema, Object value, boolean accepted)
            throws SQLException {
        Object converted = value(column, schema, value, accepted);
        if (converted == null) {
            ps.setNull(index, Types.NULL);
        } else {
            ps.setObject(index, converted);
        }
    }

    /** The JDBC parameter for the value, null for SQL NULL. */
    Object value(SourceColumn column, Schema schema, Object value, boolean accepted) {
        return value == null ? null : convert(column, schema, value, accepted);
    }

    private Object convert(SourceColumn column, Schema schema, Object value, boolean accepted) {
        String semantic = schema == null ? null : schema.name();
        if (semantic != null) {
            switch (semantic) {
                case "io.debezium.time.Date":
                    return TemporalText.date(((Number) value).longValue(), accepted);
                case "io.debezium.time.Time":
                    return TemporalText.timeOfDay(((Number) value).longValue() * 1_000L);
                case "io.debezium.time.MicroTime":
                    return TemporalText.timeOfDay(((Number) value).longValue());
                case "io.debezium.time.NanoTime":
                    return TemporalText.timeOfDay(((Number) value).longValue() / 1_000L);
                case "io.debezium.time.ZonedTime":
                    return TemporalText.zonedTime((String) value);
                case "io.debezium.time.Timestamp":
                    return TemporalText.millis(((Number) value).longValue(), accepted);
                case "io.debezium.time.MicroTimestamp":
                    return TemporalText.micros(((Number) value).longValue(), accepted);
                case "io.debezium.time.NanoTimestamp":
                    return TemporalText.nanos(((Number) value).longValue(), accepted);
                case "io.debezium.time.ZonedTimestamp":
                    return TemporalText.zoned((String) value, accepted);
                case "io.debezium.data.Bits":
                    return BitText.of(column, bytes(value));
                default:
                    break;
            }
        }
        if (column.array() || value instanceof Collection<?> || value instanceof Map<?, ?> || value instanceof Struct) {
            return JsonText.of(column, schema, value, accepted);
        }
        if ("numeric".equals(column.typeName()) || "money".equals(column.typeName())) {
            return number(column, value, accepted);
        }
        if (value instanceof Double || value instanceof Float) {
            // A float as its exact double: the shortest decimal text of Float.MAX_VALUE parses above FLOAT's range.
            double d = ((Number) value).doubleValue();
            return finite(d, d, accepted);
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            return bytes(value);
        }
        return value;
    }

    private static Object number(SourceColumn column, Object value, boolean accepted) {
        int[] target = MySqlTypeMapper.decimalTarget(column);
        String text = value instanceof BigDecimal exact ? exact.toPlainString() : value.toString();
        if (text.equalsIgnoreCase("nan") || text.regionMatches(true, text.length() - 8, "infinity", 0, 8)) {
            return nonFinite(text, accepted);
        }
        BigDecimal decimal = DecimalFit.fit(text, target[0], target[1], accepted);
        if ("money".equals(column.typeName()) && MySqlTypeMapper.moneyThroughDouble(value) && decimal.abs().compareTo(MONEY_EXACT) > 0
                && !accepted) {
            throw new LossyValueException("money value " + text + " is beyond ±" + MONEY_EXACT
                    + ", where the connector's double may have changed its cents");
        }
        return decimal;
    }

    private static Object finite(double d, Object value, boolean accepted) {
        return Double.isFinite(d) ? value : nonFinite(value.toString(), accepted);
    }

    private static Object nonFinite(String text, boolean accepted) {
        if (!accepted) {
            throw new LossyValueException("value " + text + " has no MySQL equivalent");
        }
        return null;
    }

    static byte[] bytes(Object value) {
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        return (byte[]) value;
    }
}
