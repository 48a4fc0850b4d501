package io.greenlight.apply;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes Kafka's JsonConverter envelope {@code {"schema":…,"payload":…}} to the same Connect data
 * as {@link JsonConverter#toConnectData}, without building a tree of the schema for each message.
 * The schema part (~80 % of the bytes, the same for every message of a table until DDL) is first
 * compared byte for byte with the topic's previous schema; otherwise located with a streaming
 * parser and looked up by content in a {@link SchemaCache}. Only the payload is converted. A
 * message of any other shape, or with values JsonConverter would not have written, is decoded by
 * JsonConverter itself. Not thread-safe: one per consumer loop.
 */
final class EnvelopeDecoder {

    static final int SCHEMAS_CACHED = 1000;

    // The parser settings of JsonConverter's own deserializer (leading zeros, floats as BigDecimal).
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();
    private static final JsonFactory PARSERS = JSON.getFactory();
    private static final byte[] HEAD = "{\"schema\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIDDLE = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);

    private final JsonConverter converter = new JsonConverter();
    private final SchemaCache schemas = new SchemaCache(SCHEMAS_CACHED);
    private final Map<String, SchemaCache.Cached> lastByTopic = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SchemaCache.Cached> eldest) {
            return size() > SCHEMAS_CACHED;
        }
    };
    /** Messages left to JsonConverter: none for what capture writes (EnvelopeDecoderTest checks). */
    private long fallbacks;

    EnvelopeDecoder() {
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true",
                JsonConverterConfig.SCHEMAS_CACHE_SIZE_CONFIG, String.valueOf(SCHEMAS_CACHED)), false);
    }

    SchemaAndValue decode(String topic, byte[] message) {
        if (message != null) {
            try {
                SchemaAndValue decoded = sameSchemaAsBefore(topic, message);
                if (decoded == null) {
                    decoded = envelope(topic, message);
                }
                if (decoded != null) {
                    return decoded;
                }
            } catch (IOException | RuntimeException e) {
                // Not the JSON JsonConverter writes: it decides below, with its own values or errors.
            }
        }
        fallbacks++;
        return converter.toConnectData(topic, message);
    }

    long fallbacks() {
        return fallbacks;
    }

    /**
     * The message is {"schema":S,"payload":{…}} with S byte-equal to the topic's previous schema:
     * S is one complete JSON value, so the schema part is exactly S and need not be tokenized.
     */
    private SchemaAndValue sameSchemaAsBefore(String topic, byte[] message) throws IOException {
        SchemaCache.Cached last = lastByTopic.get(topic);
        if (last == null) {
            return null;
        }
        int schemaEnd = HEAD.length + last.json().length;
        int payloadStart = schemaEnd + MIDDLE.length;
        if (message.length <= payloadStart || message[message.length - 1] != '}'
                || !Arrays.equals(message, 0, HEAD.length, HEAD, 0, HEAD.length)
                || !Arrays.equals(message, HEAD.length, schemaEnd, last.json(), 0, last.json().length)
                || !Arrays.equals(message, schemaEnd, payloadStart, MIDDLE, 0, MIDDLE.length)) {
            return null;
        }
        try (JsonParser p = PARSERS.createParser(message, payloadStart, message.length - 1 - payloadStart)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Object value = PayloadReader.read(p, last.schema());
            // The payload object must end right before the envelope's closing brace.
            if (p.nextToken() != null) {
                return null;
            }
            return new SchemaAndValue(last.schema(), value);
        }
    }

    /** Null when the message is not exactly {"schema":{…},"payload":…} in that order. */
    private SchemaAndValue envelope(String topic, byte[] message) throws IOException {
        try (JsonParser p = PARSERS.createParser(message)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !field(p, "schema") || p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            int from = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            int to = (int) p.currentTokenLocation().getByteOffset() + 1;
            SchemaCache.Cached schema = schema(message, from, to);
            if (!field(p, "payload")) {
                return null;
            }
            p.nextToken();
            Object value = PayloadReader.read(p, schema.schema());
            if (p.nextToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            lastByTopic.put(topic, schema);
            return new SchemaAndValue(schema.schema(), value);
        }
    }

    private static boolean field(JsonParser p, String name) throws IOException {
        return p.nextToken() == JsonToken.FIELD_NAME && name.equals(p.currentName());
    }

    private SchemaCache.Cached schema(byte[] message, int from, int to) throws IOException {
        SchemaCache.Cached cached = schemas.get(message, from, to);
        if (cached == null) {
            cached = schemas.put(message, from, to, converter.asConnectSchema(JSON.readTree(message, from, to - from)));
        }
        return cached;
    }
}
