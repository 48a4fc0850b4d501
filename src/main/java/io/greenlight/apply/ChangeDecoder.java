package io.greenlight.apply;

import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.DdlEvent;
import io.greenlight.schema.TableId;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/** Decodes the JSON-with-schema envelope capture publishes back into Connect structs. */
public final class ChangeDecoder {

    private final EnvelopeDecoder envelopes = new EnvelopeDecoder();
    /**
     * Per envelope schema (EnvelopeDecoder hands out the same cached instance): does a row image
     * have a float column? Scanning every message for NaN markers was ~10 % of apply's CPU (JFR).
     */
    private final Map<Schema, Boolean> floatImages = new IdentityHashMap<>();

    /**
     * The change as apply writes it (snapshot dates before 1582 corrected, see {@link JulianSnapshotFix});
     * empty for records that are not changes. A record that cannot be decoded stops apply, named by its Kafka position.
     */
    public Optional<Change> decodeForApply(ConsumerRecord<byte[], byte[]> record) {
        try {
            return decode(record).map(JulianSnapshotFix::apply);
        } catch (RuntimeException e) {
            throw new ApplyException("Cannot decode the change at Kafka " + record.topic() + "-" + record.partition()
                    + "@" + record.offset() + ": " + e.getMessage(), e);
        }
    }

    /** Empty for records that are not row changes (heartbeats, logical messages). */
    public Optional<Change> decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        SchemaAndValue decoded = envelopes.decode(record.topic(), record.value());
        if (!(decoded.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            return Optional.empty();
        }
        if (floatImages(envelope.schema()) && NonFiniteFloats.mayContain(record.value())) {
            NonFiniteFloats.restore(record.value(), envelope);
        }
        ChangeOp op = ChangeOp.of(envelope.getString("op"));
        DdlEvent ddl = null;
        if (op == ChangeOp.MESSAGE) {
            Struct message = envelope.getStruct("message");
            if (message == null || !DdlEvent.PREFIX.equals(message.getString("prefix"))) {
                return Optional.empty();
            }
            ddl = DdlEvent.parse(bytes(message.get("content")));
        }
        Struct source = envelope.getStruct("source");
        TableId table = ddl != null ? ddl.table() : new TableId(source.getString("schema"), source.getString("table"));
        Long lsn = source.schema().field("lsn") != null ? source.getInt64("lsn") : null;
        Struct before = envelope.schema().field("before") != null ? envelope.getStruct("before") : null;
        Struct after = envelope.schema().field("after") != null ? envelope.getStruct("after") : null;
        // Snapshot reads share one LSN and are re-read whole after a restart: no stream position.
        // A DDL message may report the LSN of the row after it: no position, so it neither is skipped as a replay
        // nor makes that row one (applying it again is harmless: apply compares it with the model it has).
        SourcePosition position = op == ChangeOp.READ || ddl != null || source.schema().field("sequence") == null ? null
                : SourcePosition.parse(source.getString("sequence"), op == ChangeOp.DELETE ? 0 : 1).orElse(null);
        Long txId = source.schema().field("txId") != null ? source.getInt64("txId") : null;
        return Optional.of(new Change(table, op, before, after, lsn, position, source.getInt64("ts_ms"),
                record.topic(), record.partition(), record.offset(), txId, ddl));
    }

    /** A logical decoding message's content: bytes (binary.handling.mode=bytes), whichever way JSON gave them back. */
    static byte[] bytes(Object content) {
        if (content instanceof byte[] bytes) {
            return bytes;
        }
        if (content instanceof java.nio.ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        if (content instanceof String text) {
            return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException("a logical decoding message without content");
    }

    private boolean floatImages(Schema envelope) {
        Boolean known = floatImages.get(envelope);
        if (known == null) {
            if (floatImages.size() > 1000) {
                floatImages.clear(); // schemas rotate only with source DDL; stay bounded anyway
            }
            known = hasFloat(envelope.field("before")) || hasFloat(envelope.field("after"));
            floatImages.put(envelope, known);
        }
        return known;
    }

    private static boolean hasFloat(Field image) {
        if (image == null) {
            return false;
        }
        for (Field field : image.schema().fields()) {
            Schema schema = field.schema().type() == Schema.Type.ARRAY ? field.schema().valueSchema() : field.schema();
            if (schema.type() == Schema.Type.FLOAT32 || schema.type() == Schema.Type.FLOAT64) {
                return true;
            }
        }
        return false;
    }
}
