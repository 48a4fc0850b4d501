package io.greenlight.capture;

import io.greenlight.schema.UnchangedToast;
import io.greenlight.testing.DebeziumRecords;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The envelope capture publishes is byte for byte what Kafka's JsonConverter writes, for real Debezium records. */
class EnvelopeEncoderTest {

    private final List<SourceRecord> records = DebeziumRecords.get();

    @Test
    void everyValueIsTheBytesJsonConverterWrites() {
        EnvelopeEncoder encoder = new EnvelopeEncoder(false);
        JsonConverter converter = converter(false);
        for (SourceRecord r : records) {
            assertArrayEquals(converter.fromConnectData(r.topic(), r.valueSchema(), r.value()),
                    encoder.encode(r.topic(), r.valueSchema(), r.value()), () -> describe(r));
        }
    }

    @Test
    void everyKeyIsTheBytesJsonConverterWrites() {
        EnvelopeEncoder encoder = new EnvelopeEncoder(true);
        JsonConverter converter = converter(true);
        List<SourceRecord> keyed = records.stream().filter(r -> r.key() != null).toList();
        assertTrue(keyed.size() > records.size() / 2, "most records have a key: " + keyed.size());
        for (SourceRecord r : keyed) {
            assertArrayEquals(converter.fromConnectData(r.topic(), r.keySchema(), r.key()),
                    encoder.encode(r.topic(), r.keySchema(), r.key()), () -> describe(r));
        }
    }

    @Test
    void aTableWhoseSchemaDdlChangedIsWrittenWithEachRecordsOwnSchema() {
        EnvelopeEncoder encoder = new EnvelopeEncoder(false);
        JsonConverter converter = converter(false);
        List<SourceRecord> evolving = records.stream().filter(table("evolving")).toList();
        assertEquals(2, evolving.stream().map(SourceRecord::valueSchema).distinct().count(),
                "one schema before the ALTER, one after");
        for (SourceRecord r : evolving) {
            assertArrayEquals(converter.fromConnectData(r.topic(), r.valueSchema(), r.value()),
                    encoder.encode(r.topic(), r.valueSchema(), r.value()), () -> describe(r));
        }
    }

    /** Keeps the equality tests above from passing on a sample that lacks the hard cases. */
    @Test
    void theSampleHoldsDeletesTruncatesMessagesNonFiniteFloatsToastPlaceholdersAndHeartbeatMarkers() {
        assertTrue(records.stream().anyMatch(op("d").and(r -> ((Struct) r.value()).getStruct("after") == null)), "delete");
        assertTrue(records.stream().anyMatch(op("t")), "truncate");
        assertTrue(records.stream().anyMatch(op("m")), "logical message");
        assertTrue(records.stream().anyMatch(op("r")) && records.stream().anyMatch(op("c")), "snapshot and streamed");
        assertTrue(records.stream().anyMatch(op("c").and(table("infinite")).and(r -> json(r).contains("\"NaN\""))), "NaN");
        assertTrue(records.stream().anyMatch(op("c").and(table("infinite")).and(r -> json(r).contains("\"Infinity\""))), "Infinity");
        assertTrue(records.stream().anyMatch(op("u").and(table("toasty")).and(r -> json(r).contains(UnchangedToast.PLACEHOLDER))),
                "unchanged TOAST placeholder");
        assertTrue(records.stream().anyMatch(op("u").and(table(HeartbeatWriter.TABLE)).and(r -> json(r).contains("drain-1"))),
                "heartbeat with a marker");
        assertTrue(records.stream().anyMatch(table("Order Items; DROP TABLE x")), "hostile names");
    }

    private static Predicate<SourceRecord> op(String op) {
        return r -> r.value() instanceof Struct v && v.schema().field("op") != null && op.equals(v.getString("op"));
    }

    private static Predicate<SourceRecord> table(String table) {
        return r -> r.value() instanceof Struct v && v.schema().field("source") != null
                && table.equals(v.getStruct("source").getString("table"));
    }

    private static String json(SourceRecord r) {
        return new String(converter(false).fromConnectData(r.topic(), r.valueSchema(), r.value()), StandardCharsets.UTF_8);
    }

    private static String describe(SourceRecord r) {
        return r.topic() + " " + r.value();
    }

    private static JsonConverter converter(boolean forKeys) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true"), forKeys);
        return converter;
    }
}
