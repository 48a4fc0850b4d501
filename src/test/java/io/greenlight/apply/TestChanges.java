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
        return of(table, op, null, after, lsn);
    }

    /** A delete of the row whose old image (its key, as REPLICA IDENTITY DEFAULT sends it) is {@code before}. */
    static Change delete(TableId table, Struct before, long lsn) {
        return of(table, ChangeOp.DELETE, before, null, lsn);
    }

    private static Change of(TableId table, ChangeOp op, Struct before, Struct after, long lsn) {
        Schema image = optional(after != null ? after.schema() : before.schema());
        Schema source = SchemaBuilder.struct().field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
                .field("lsn", Schema.OPTIONAL_INT64_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA).build();
        Schema envelope = SchemaBuilder.struct().field("before", image)
                .field("after", image).field("source", source).field("op", Schema.STRING_SCHEMA).build();
        String code = switch (op) {
            case CREATE -> "c";
            case UPDATE -> "u";
            case DELETE -> "d";
            case READ -> "r";
            default -> throw new IllegalArgumentException(op.toString());
        };
        Struct value = new Struct(envelope).put("before", copy(before, image)).put("after", copy(after, image)).put("op", code).put("source", new Struct(source)
                .put("schema", table.schema()).put("table", table.table()).put("lsn", lsn).put("ts_ms", 0L));
        String topic = "test." + table;
        byte[] bytes = JSON.fromConnectData(topic, envelope, value);
        return new ChangeDecoder().decode(new ConsumerRecord<>(topic, 0, lsn, null, bytes)).orElseThrow();
    }

    private static Schema optional(Schema row) {
        SchemaBuilder builder = SchemaBuilder.struct().optional();
        row.fields().forEach(f -> builder.field(f.name(), f.schema()));
        return builder.build();
    }

    private static Struct copy(Struct row, Schema schema) {
        if (row == null) {
            return null;
        }
        Struct copy = new Struct(schema);
        schema.fields().forEach(f -> copy.put(f, row.get(f.name())));
        return copy;
    }
}
