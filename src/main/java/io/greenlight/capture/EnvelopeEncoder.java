package io.greenlight.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the bytes Kafka's JsonConverter (schemas.enable=true) writes, {@code {"schema":…,"payload":…}},
 * at a fraction of its cost: the schema part — ~80 % of a message, the same for every message of a
 * table until DDL — is serialized once per schema instance (Debezium reuses one per table and
 * version), and only the payload is converted per message, by a JsonConverter without envelope.
 * Not thread-safe: one per publisher.
 */
final class EnvelopeEncoder {

    static final int SCHEMAS_CACHED = 1000;

    private static final byte[] HEAD = "{\"schema\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIDDLE = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte TAIL = '}';
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonConverter withEnvelope;
    private final JsonConverter payloads;
    private final Map<SchemaInstance, byte[]> schemaJson = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SchemaInstance, byte[]> eldest) {
            return size() > SCHEMAS_CACHED;
        }
    };

    EnvelopeEncoder(boolean forKeys) {
        this.withEnvelope = converter(true, forKeys);
        this.payloads = converter(false, forKeys);
    }

    byte[] encode(String topic, Schema schema, Object value) {
        if (schema == null) {
            return withEnvelope.fromConnectData(topic, null, value); // schemaless: rare, no schema to cache
        }
        byte[] head = schemaJson.computeIfAbsent(new SchemaInstance(schema), s -> schemaJson(s.schema));
        byte[] payload = payloads.fromConnectData(topic, schema, value);
        byte[] message = new byte[HEAD.length + head.length + MIDDLE.length + payload.length + 1];
        int at = put(message, 0, HEAD);
        at = put(message, at, head);
        at = put(message, at, MIDDLE);
        at = put(message, at, payload);
        message[at] = TAIL;
        return message;
    }

    private byte[] schemaJson(Schema schema) {
        try {
            return JSON.writeValueAsBytes(withEnvelope.asJsonSchema(schema));
        } catch (JsonProcessingException e) {
            throw new DataException("Writing the JSON of a Connect schema failed: " + e.getMessage(), e);
        }
    }

    private static int put(byte[] into, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, into, at, bytes.length);
        return at + bytes.length;
    }

    private static JsonConverter converter(boolean schemas, boolean forKeys) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, String.valueOf(schemas),
                JsonConverterConfig.SCHEMAS_CACHE_SIZE_CONFIG, String.valueOf(SCHEMAS_CACHED)), forKeys);
        return converter;
    }

    /**
     * A schema by identity: Connect schemas hash and compare their whole tree, which is the cost this
     * class avoids. A schema rebuilt equal but as a new instance only costs one more serialization.
     */
    private record SchemaInstance(Schema schema) {
        @Override
        public boolean equals(Object o) {
            return o instanceof SchemaInstance other && other.schema == schema;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(schema);
        }
    }
}
