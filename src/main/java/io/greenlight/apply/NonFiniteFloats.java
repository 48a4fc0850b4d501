package io.greenlight.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's JsonConverter writes a float's NaN or ±Infinity as a JSON string and reads that string
 * back as 0.0: a silent change of value. This puts the non-finite value back into the decoded row
 * images, so that apply can refuse it (or store NULL where accepted) instead of writing 0.
 */
final class NonFiniteFloats {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[][] MARKERS = {"\"NaN\"".getBytes(StandardCharsets.US_ASCII),
            "Infinity\"".getBytes(StandardCharsets.US_ASCII)};

    private NonFiniteFloats() {
    }

    /** Cheap pre-check on the raw message: only messages carrying a marker are parsed again. */
    static boolean mayContain(byte[] json) {
        for (byte[] marker : MARKERS) {
            if (indexOf(json, marker) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Restores non-finite floats of the envelope's before/after images from the raw JSON payload. */
    static void restore(byte[] json, Struct envelope) {
        JsonNode payload;
        try {
            payload = JSON.readTree(json).path("payload");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot re-read the change event JSON: " + e.getMessage(), e);
        }
        for (String image : List.of("before", "after")) {
            if (envelope.schema().field(image) != null && envelope.getStruct(image) != null) {
                restoreRow(payload.path(image), envelope.getStruct(image));
            }
        }
    }

    private static void restoreRow(JsonNode row, Struct struct) {
        for (Field field : struct.schema().fields()) {
            JsonNode node = row.path(field.name());
            Schema schema = field.schema();
            if (isFloat(schema) && node.isTextual()) {
                struct.put(field, number(schema, node.asText()));
            } else if (schema.type() == Schema.Type.ARRAY && isFloat(schema.valueSchema()) && node.isArray()
                    && struct.get(field) != null) {
                List<Object> items = new ArrayList<>(struct.getArray(field.name()));
                for (int i = 0; i < items.size() && i < node.size(); i++) {
                    if (node.get(i).isTextual()) {
                        items.set(i, number(schema.valueSchema(), node.get(i).asText()));
                    }
                }
                struct.put(field, items);
            }
        }
    }

    private static boolean isFloat(Schema schema) {
        return schema.type() == Schema.Type.FLOAT64 || schema.type() == Schema.Type.FLOAT32;
    }

    private static Object number(Schema schema, String text) {
        double value = Double.parseDouble(text);
        return schema.type() == Schema.Type.FLOAT32 ? (Object) (float) value : (Object) value;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
