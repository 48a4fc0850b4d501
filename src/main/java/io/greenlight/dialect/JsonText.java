package io.greenlight.dialect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.schema.SourceColumn;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Arrays, maps and structs (e.g. the connector's geometry values) as JSON text. Elements keep their meaning: numeric elements (strings in
 * Debezium's exact-decimal mode) become JSON numbers, dates and timestamps ISO text, bytes base64.
 */
final class JsonText {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonText() {
    }

    /** @param accepted whether the column's loss is accepted: elements that cannot be JSON are clamped or NULL */
    static String of(SourceColumn column, Schema schema, Object value, boolean accepted) {
        try {
            return JSON.writeValueAsString(element(column, schema, value, accepted));
        } catch (JsonProcessingException e) {
            throw new LossyValueException("value cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private static Object element(SourceColumn column, Schema schema, Object value, boolean accepted) {
        if (value == null) {
            return null;
        }
        if (value instanceof Collection<?> items) {
            Schema items0 = schema == null || schema.type() != Schema.Type.ARRAY ? null : schema.valueSchema();
            List<Object> out = new ArrayList<>(items.size());
            items.forEach(item -> out.add(element(column, items0, item, accepted)));
            return out;
        }
        if (value instanceof Struct struct) {
            Map<String, Object> out = new LinkedHashMap<>();
            struct.schema().fields().forEach(f -> out.put(f.name(), element(column, f.schema(), struct.get(f), accepted)));
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            Schema values = schema == null || schema.type() != Schema.Type.MAP ? null : schema.valueSchema();
            map.forEach((k, v) -> out.put(String.valueOf(k), element(column, values, v, accepted)));
            return out;
        }
        String semantic = schema == null ? null : schema.name();
        if (semantic != null && semantic.startsWith("io.debezium.time.")) {
            String text = (String) scalar(semantic, value, accepted);
            return text.replace(' ', 'T');
        }
        if ("numeric".equals(column.typeName()) && value instanceof String text) {
            return number(text, accepted);
        }
        if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
            return nonFinite(value.toString(), accepted);
        }
        return value;
    }

    /** An exact numeric element (decimal text); NaN and ±Infinity have no JSON number. */
    private static Object number(String text, boolean accepted) {
        return switch (text) {
            case "NaN", "Infinity", "-Infinity", "POSITIVE_INFINITY", "NEGATIVE_INFINITY" -> nonFinite(text, accepted);
            default -> new BigDecimal(text);
        };
    }

    private static Object nonFinite(String text, boolean accepted) {
        if (!accepted) {
            throw new LossyValueException("array element " + text + " has no JSON equivalent");
        }
        return null;
    }

    private static Object scalar(String semantic, Object value, boolean accepted) {
        return switch (semantic) {
            case "io.debezium.time.Date" -> TemporalText.date(((Number) value).longValue(), accepted);
            case "io.debezium.time.MicroTime" -> TemporalText.timeOfDay(((Number) value).longValue());
            case "io.debezium.time.MicroTimestamp" -> TemporalText.micros(((Number) value).longValue(), accepted);
            case "io.debezium.time.ZonedTimestamp" -> TemporalText.zoned((String) value, accepted);
            default -> String.valueOf(value);
        };
    }
}
