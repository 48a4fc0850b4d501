package io.greenlight.apply;

import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.DdlEvent;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Struct;

/**
 * One decoded change event with its coordinates: where it came from in the source (LSN,
 * commit time) and in Kafka (topic, partition, offset), for ordering, lag and error messages.
 */
public record Change(TableId table, ChangeOp op, Struct before, Struct after, Long lsn, SourcePosition position,
                     long sourceTsMs, String topic, int partition, long offset, Long txId, DdlEvent ddl) {

    /** A row change or truncate. */
    public Change(TableId table, ChangeOp op, Struct before, Struct after, Long lsn, SourcePosition position,
                  long sourceTsMs, String topic, int partition, long offset, Long txId) {
        this(table, op, before, after, lsn, position, sourceTsMs, topic, partition, offset, txId, null);
    }

    /** True for a source DDL statement's effect on the table (op MESSAGE), applied at exactly this point. */
    public boolean isDdl() {
        return ddl != null;
    }

    /** A change whose source transaction id is not known. */
    public Change(TableId table, ChangeOp op, Struct before, Struct after, Long lsn, SourcePosition position,
                  long sourceTsMs, String topic, int partition, long offset) {
        this(table, op, before, after, lsn, position, sourceTsMs, topic, partition, offset, null);
    }

    /** "table public.orders, LSN 0/1A2B3C4, Kafka orders-0@17": the place to name in errors. */
    public String coordinates() {
        return "table " + table + ", LSN " + formatLsn(lsn) + ", Kafka " + topic + "-" + partition + "@" + offset;
    }

    public static String formatLsn(Long lsn) {
        if (lsn == null) {
            return "unknown";
        }
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
