package io.greenlight.apply;

import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.TableId;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

import java.util.Map;

/**
 * Change events for tests, built the way capture publishes them (a Debezium envelope as JSON with
 * schema) and decoded by the real ChangeDecoder.
 */
final class TestChanges {

    private static final JsonConverter JSON = new JsonConverter();

    static {
        JSON.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true"), false);
    }

    private TestChanges() {
    }

    static Change of(TableId table, ChangeOp op, Struct after, long lsn) {
        Schema source = SchemaBuilder.struct().field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
                .field("lsn", Schema.OPTIONAL_INT64_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA).build();
        Schema envelope = SchemaBuilder.struct().field("before", SchemaBuilder.struct().optional().build())
                .field("after", after.schema()).field("source", source).field("op", Schema.STRING_SCHEMA).build();
        String code = switch (op) {
            case CREATE -> "c";
            case UPDATE -> "u";
            case DELETE -> "d";
            case READ -> "r";
            default -> throw new IllegalArgumentException(op.toString());
        };
        Struct value = new Struct(envelope).put("after", after).put("op", code).put("source", new Struct(source)
                .put("schema", table.schema()).put("table", table.table()).put("lsn", lsn).put("ts_ms", 0L));
        String topic = "test." + table;
        byte[] bytes = JSON.fromConnectData(topic, envelope, value);
        return new ChangeDecoder().decode(new ConsumerRecord<>(topic, 0, lsn, null, bytes)).orElseThrow();
    }
}
