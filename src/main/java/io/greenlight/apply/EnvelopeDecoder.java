package io.greenlight.apply;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

import java.io.IOException;
import java.util.Map;

/**
 * Decodes Kafka's JsonConverter envelope {@code {"schema":…,"payload":…}} to the same Connect data
 * as {@link JsonConverter#toConnectData}, without building a tree of the schema for each message:
 * the schema's bytes are located with a streaming parser and looked up by content (the same for
 * every message of a table until DDL), and only the payload is converted. A message of any other
 * shape, or with values JsonConverter would not have written, is decoded by JsonConverter itself.
 * Not thread-safe: one per consumer loop.
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

    private final JsonConverter converter = new JsonConverter();
    private final SchemaCache schemas = new SchemaCache(SCHEMAS_CACHED);
    /** Messages left to JsonConverter: none for what capture writes (EnvelopeDecoderTest checks). */
    private long fallbacks;

    EnvelopeDecoder() {
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true",
                JsonConverterConfig.SCHEMAS_CACHE_SIZE_CONFIG, String.valueOf(SCHEMAS_CACHED)), false);
    }

    SchemaAndValue decode(String topic, byte[] message) {
        if (message != null) {
            try (JsonParser parser = PARSERS.createParser(message)) {
                SchemaAndValue decoded = envelope(parser, message);
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

    /** Null when the message is not exactly {"schema":{…},"payload":…} in that order. */
    private SchemaAndValue envelope(JsonParser p, byte[] message) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT || !field(p, "schema") || p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        int from = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int to = (int) p.currentTokenLocation().getByteOffset() + 1;
        Schema schema = schema(message, from, to);
        if (!field(p, "payload")) {
            return null;
        }
        p.nextToken();
        Object value = PayloadReader.read(p, schema);
        if (p.nextToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            return null;
        }
        return new SchemaAndValue(schema, value);
    }

    private static boolean field(JsonParser p, String name) throws IOException {
        return p.nextToken() == JsonToken.FIELD_NAME && name.equals(p.currentName());
    }

    private Schema schema(byte[] message, int from, int to) throws IOException {
        Schema schema = schemas.get(message, from, to);
        if (schema == null) {
            schema = converter.asConnectSchema(JSON.readTree(message, from, to - from));
            schemas.put(message, from, to, schema);
        }
        return schema;
    }
}
