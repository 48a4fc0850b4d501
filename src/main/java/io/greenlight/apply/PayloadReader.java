package io.greenlight.apply;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON value from a streaming parser into Connect data against a known schema, giving
 * the values Kafka's JsonConverter gives for the JSON it writes itself (its schema-aware
 * conversion is private). JSON it would not write — a value of another JSON kind than the schema
 * type's, a number out of the type's range — is refused with {@link Unexpected}, so that the
 * caller lets JsonConverter decide (same values or same error as before).
 */
final class PayloadReader {

    /** Not JSON that JsonConverter writes for this schema; stackless, the caller only falls back. */
    static final class Unexpected extends RuntimeException {
        Unexpected() {
            super("unexpected JSON for the schema", null, false, false);
        }
    }

    private static final Unexpected UNEXPECTED = new Unexpected();

    private PayloadReader() {
    }

    /** Reads the value whose first token is the parser's current token; leaves the parser on its last token. */
    static Object read(JsonParser p, Schema schema) throws IOException {
        JsonToken token = p.currentToken();
        if (schema == null || token == null) {
            throw UNEXPECTED;
        }
        if (token == JsonToken.VALUE_NULL) {
            return absent(schema);
        }
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case Decimal.LOGICAL_NAME:
                    // JsonConverter's default decimal.format (base64) writes the unscaled bytes as text.
                    return Decimal.toLogical(schema, binary(p, token));
                case Date.LOGICAL_NAME:
                    return Date.toLogical(schema, intValue(p, token));
                case Time.LOGICAL_NAME:
                    return Time.toLogical(schema, intValue(p, token));
                case Timestamp.LOGICAL_NAME:
                    return Timestamp.toLogical(schema, longValue(p, token));
                default:
                    break;
            }
        }
        return switch (schema.type()) {
            case BOOLEAN -> switch (token) {
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                default -> throw UNEXPECTED;
            };
            case INT8 -> (byte) intValue(p, token);
            case INT16 -> (short) intValue(p, token);
            case INT32 -> intValue(p, token);
            case INT64 -> longValue(p, token);
            case FLOAT32 -> floatValue(p, token);
            case FLOAT64 -> doubleValue(p, token);
            case STRING -> {
                if (token != JsonToken.VALUE_STRING) {
                    throw UNEXPECTED;
                }
                yield p.getText();
            }
            case BYTES -> binary(p, token);
            case ARRAY -> array(p, token, schema);
            case MAP -> map(p, token, schema);
            case STRUCT -> struct(p, token, schema);
        };
    }

    /** A null or missing value: the schema's default, null if optional, else JsonConverter's error. */
    private static Object absent(Schema schema) {
        if (schema.defaultValue() != null) {
            return schema.defaultValue();
        }
        if (schema.isOptional()) {
            return null;
        }
        throw UNEXPECTED;
    }

    private static Struct struct(JsonParser p, JsonToken token, Schema schema) throws IOException {
        if (token != JsonToken.START_OBJECT) {
            throw UNEXPECTED;
        }
        List<Field> fields = schema.fields();
        Object[] values = new Object[fields.size()];
        boolean[] present = new boolean[fields.size()];
        int next = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String fieldName = p.currentName();
            // JsonConverter writes fields in schema order: try the next one before a lookup by name.
            Field field = next < fields.size() && fields.get(next).name().equals(fieldName) ? fields.get(next)
                    : schema.field(fieldName);
            p.nextToken();
            if (field == null) {
                p.skipChildren(); // JsonConverter ignores fields its schema does not have
                continue;
            }
            values[field.index()] = read(p, field.schema());
            present[field.index()] = true;
            next = field.index() + 1;
        }
        Struct struct = new Struct(schema);
        for (Field field : fields) {
            struct.put(field, present[field.index()] ? values[field.index()] : absent(field.schema()));
        }
        return struct;
    }

    private static List<Object> array(JsonParser p, JsonToken token, Schema schema) throws IOException {
        if (token != JsonToken.START_ARRAY) {
            throw UNEXPECTED;
        }
        List<Object> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            items.add(read(p, schema.valueSchema()));
        }
        return items;
    }

    /** String keys as a JSON object; other keys as an array of [key, value] pairs (as JsonConverter writes them). */
    private static Map<Object, Object> map(JsonParser p, JsonToken token, Schema schema) throws IOException {
        Map<Object, Object> entries = new HashMap<>();
        if (schema.keySchema().type() == Schema.Type.STRING) {
            if (token != JsonToken.START_OBJECT) {
                throw UNEXPECTED;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                entries.put(key, read(p, schema.valueSchema()));
            }
            return entries;
        }
        if (token != JsonToken.START_ARRAY) {
            throw UNEXPECTED;
        }
        while (p.nextToken() == JsonToken.START_ARRAY) {
            p.nextToken();
            Object key = read(p, schema.keySchema());
            p.nextToken();
            Object value = read(p, schema.valueSchema());
            if (p.nextToken() != JsonToken.END_ARRAY) {
                throw UNEXPECTED;
            }
            entries.put(key, value);
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw UNEXPECTED;
        }
        return entries;
    }

    private static int intValue(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw UNEXPECTED;
        }
        return p.getIntValue();
    }

    private static long longValue(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw UNEXPECTED;
        }
        return p.getLongValue();
    }

    /*
     * JsonConverter reads floats as BigDecimal, which has no negative zero: "-0.0" arrives as 0.0.
     * A string (NaN, ±Infinity) reads as 0, which NonFiniteFloats then puts right.
     */
    private static double doubleValue(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return 0.0;
        }
        if (!token.isNumeric()) {
            throw UNEXPECTED;
        }
        double value = p.getDoubleValue();
        return value == 0 && token == JsonToken.VALUE_NUMBER_FLOAT ? new BigDecimal(p.getText()).doubleValue() : value;
    }

    private static float floatValue(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return 0.0f;
        }
        if (!token.isNumeric()) {
            throw UNEXPECTED;
        }
        float value = p.getFloatValue();
        return value == 0 && token == JsonToken.VALUE_NUMBER_FLOAT ? new BigDecimal(p.getText()).floatValue() : value;
    }

    private static byte[] binary(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw UNEXPECTED;
        }
        return p.getBinaryValue();
    }
}
