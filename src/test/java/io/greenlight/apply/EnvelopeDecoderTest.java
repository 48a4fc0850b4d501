package io.greenlight.apply;

import io.greenlight.testing.DebeziumRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Apply decodes capture's envelopes to exactly what Kafka's JsonConverter decodes them to. */
class EnvelopeDecoderTest {

    private final JsonConverter converter = converter(false);

    @Test
    void everyRealRecordsValueDecodesAsJsonConverterDecodesIt() {
        EnvelopeDecoder decoder = new EnvelopeDecoder();
        for (SourceRecord r : DebeziumRecords.get()) {
            byte[] message = converter.fromConnectData(r.topic(), r.valueSchema(), r.value());
            assertEquals(converter.toConnectData(r.topic(), message), decoder.decode(r.topic(), message), () -> r.topic() + " " + r.value());
        }
        assertEquals(0, decoder.fallbacks(), "every real record took the streaming path");
    }

    @Test
    void everyRealRecordsKeyDecodesAsJsonConverterDecodesIt() {
        JsonConverter keys = converter(true);
        EnvelopeDecoder decoder = new EnvelopeDecoder();
        for (SourceRecord r : DebeziumRecords.get()) {
            if (r.key() != null) {
                byte[] message = keys.fromConnectData(r.topic(), r.keySchema(), r.key());
                assertEquals(keys.toConnectData(r.topic(), message), decoder.decode(r.topic(), message), () -> r.topic() + " " + r.key());
            }
        }
        assertEquals(0, decoder.fallbacks(), "every real key took the streaming path");
    }

    @Test
    void messagesWithEqualSchemaBytesShareOneSchemaAndADdlChangeGetsItsOwn() {
        EnvelopeDecoder decoder = new EnvelopeDecoder();
        List<SchemaAndValue> evolving = DebeziumRecords.get().stream()
                .filter(r -> r.value() instanceof Struct v && v.schema().field("source") != null
                        && "evolving".equals(v.getStruct("source").getString("table")))
                .map(r -> decoder.decode(r.topic(), converter.fromConnectData(r.topic(), r.valueSchema(), r.value())))
                .toList();
        assertEquals(3, evolving.size(), "snapshot row, insert and update after the ALTER");
        assertNotEquals(evolving.get(0).schema(), evolving.get(1).schema());
        assertSame(evolving.get(1).schema(), evolving.get(2).schema());
    }

    @Test
    void nonFiniteFloatsAreRestoredInTheDecodedChange() {
        ChangeDecoder decoder = new ChangeDecoder();
        List<Object> floats = DebeziumRecords.get().stream()
                .filter(r -> r.value() instanceof Struct v && v.schema().field("source") != null
                        && "infinite".equals(v.getStruct("source").getString("table")) && "c".equals(v.getString("op")))
                .map(r -> new ConsumerRecord<>(r.topic(), 0, 0L, (byte[]) null, converter.fromConnectData(r.topic(), r.valueSchema(), r.value())))
                .map(record -> decoder.decode(record).orElseThrow().after().get("f"))
                .toList();
        assertEquals(List.of(Double.NaN, Double.POSITIVE_INFINITY), floats); // the type suite's rows: 'NaN', 'Infinity'
    }

    @Test
    void everyConnectTypeAndLogicalTypeDecodesAsJsonConverterDecodesIt() {
        Schema inner = SchemaBuilder.struct().name("inner").optional().field("b", Schema.OPTIONAL_BOOLEAN_SCHEMA)
                .field("f", Schema.FLOAT32_SCHEMA).build();
        Schema schema = SchemaBuilder.struct().name("all")
                .field("i8", Schema.INT8_SCHEMA).field("i16", Schema.INT16_SCHEMA).field("i32", Schema.INT32_SCHEMA)
                .field("i64", Schema.INT64_SCHEMA).field("f32", Schema.FLOAT32_SCHEMA).field("f64", Schema.FLOAT64_SCHEMA)
                .field("negativeZero", Schema.FLOAT64_SCHEMA).field("bool", Schema.BOOLEAN_SCHEMA)
                .field("text", Schema.STRING_SCHEMA).field("bytes", Schema.BYTES_SCHEMA)
                .field("ints", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).build())
                .field("byName", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_FLOAT64_SCHEMA).build())
                .field("byNumber", SchemaBuilder.map(Schema.INT64_SCHEMA, inner).build())
                .field("nested", inner).field("absent", inner)
                .field("defaulted", SchemaBuilder.string().optional().defaultValue("fallback").build())
                .field("decimal", Decimal.schema(3)).field("date", Date.SCHEMA).field("time", Time.SCHEMA)
                .field("timestamp", Timestamp.SCHEMA).field("optionalDecimal", Decimal.builder(2).optional().build())
                .build();
        Struct value = new Struct(schema).put("i8", (byte) -128).put("i16", (short) 32767).put("i32", Integer.MIN_VALUE)
                .put("i64", Long.MAX_VALUE).put("f32", 1.17549435e-38f).put("f64", -1.7976931348623157e308)
                .put("negativeZero", -0.0).put("bool", true).put("text", "ä😀\"\\\n")
                .put("bytes", new byte[]{0, -1, 10, 39, 92}).put("ints", Arrays.asList(1, null, -3))
                .put("byName", Map.of("a", 1.5, "b", 2.0e-300)).put("byNumber", Map.of(7L, new Struct(inner).put("b", false).put("f", 0.1f)))
                .put("nested", new Struct(inner).put("b", null).put("f", 3.4028235e38f)).put("absent", null).put("defaulted", null)
                .put("decimal", new BigDecimal("-12345678901234567890.125")).put("date", new java.util.Date(19782L * 86_400_000L))
                .put("time", new java.util.Date(45_296_789L)).put("timestamp", new java.util.Date(1_709_210_096_123L))
                .put("optionalDecimal", null);
        byte[] message = converter.fromConnectData("t", schema, value);
        EnvelopeDecoder decoder = new EnvelopeDecoder();
        SchemaAndValue decoded = decoder.decode("t", message);
        assertEquals(converter.toConnectData("t", message), decoded);
        assertEquals(0, decoder.fallbacks(), "decoded on the streaming path");
        assertEquals(0.0, ((Struct) decoded.value()).getFloat64("negativeZero")); // JsonConverter reads floats as BigDecimal: no -0
    }

    @Test
    void aNullOrMissingFieldTakesTheSchemasDefaultAsJsonConverterDoes() {
        String message = "{\"schema\":{\"type\":\"struct\",\"optional\":false,\"fields\":["
                + "{\"type\":\"int32\",\"optional\":false,\"default\":7,\"field\":\"missing\"},"
                + "{\"type\":\"string\",\"optional\":true,\"default\":\"d\",\"field\":\"nulled\"},"
                + "{\"type\":\"string\",\"optional\":true,\"field\":\"plain\"}]},"
                + "\"payload\":{\"nulled\":null,\"unknown\":{\"x\":[1]},\"plain\":\"p\"}}";
        assertSameAsJsonConverter(message);
        EnvelopeDecoder decoder = new EnvelopeDecoder();
        assertEquals(7, ((Struct) decoder.decode("t", bytes(message)).value()).getInt32("missing"));
        assertEquals(0, decoder.fallbacks(), "decoded on the streaming path");
    }

    @Test
    void aMessageOfAnotherShapeIsDecodedByJsonConverter() {
        assertSameAsJsonConverter("{\"payload\":{\"id\":1},\"schema\":{\"type\":\"struct\",\"optional\":false,"
                + "\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}]}}");
        assertSameAsJsonConverter("{\"schema\":{\"type\":\"struct\",\"optional\":false,"
                + "\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"}]},\"payload\":{\"id\":\"12\"}}");
        assertSameAsJsonConverter("{\"schema\":{\"type\":\"int64\",\"optional\":false},\"payload\":123456789012345678901234}");
    }

    @Test
    void aMessageJsonConverterRefusesIsRefusedWithItsError() {
        String extraField = "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":1,\"more\":2}";
        DataException expected = assertThrows(DataException.class, () -> converter.toConnectData("t", bytes(extraField)));
        DataException actual = assertThrows(DataException.class, () -> decode(extraField));
        assertEquals(expected.getMessage(), actual.getMessage());
        String requiredNull = "{\"schema\":{\"type\":\"struct\",\"optional\":false,\"fields\":["
                + "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"}]},\"payload\":{\"name\":null}}";
        expected = assertThrows(DataException.class, () -> converter.toConnectData("t", bytes(requiredNull)));
        actual = assertThrows(DataException.class, () -> decode(requiredNull));
        assertEquals(expected.getMessage(), actual.getMessage());
        assertTrue(actual.getMessage().contains("null"), actual.getMessage());
    }

    private void assertSameAsJsonConverter(String message) {
        assertEquals(converter.toConnectData("t", bytes(message)), decode(message), message);
    }

    private static SchemaAndValue decode(String message) {
        return new EnvelopeDecoder().decode("t", bytes(message));
    }

    private static byte[] bytes(String message) {
        return message.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonConverter converter(boolean forKeys) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true"), forKeys);
        return converter;
    }
}
