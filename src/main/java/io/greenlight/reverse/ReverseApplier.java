package io.greenlight.reverse;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.Change;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Reverse apply: writes each batch the new primary's capture (binlog or pgoutput, {@link PrimaryCapture}) delivered into the old source's
 * original tables, through the same {@link BatchWriter} and PostgreSQL dialect forward apply uses
 * for a PostgreSQL target, and advances the stream's offset ({@link ReverseOffsets}) in the same
 * transaction. Only then does the engine learn the batch is done: a restart resumes from the old
 * source's own record, and writing a batch again changes nothing (upserts, deletes by key).
 */
final class ReverseApplier implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {

    private final String stream;
    private final DataSource oldSource;
    private final BatchWriter writer;
    private final Map<String, SourceTable> byPrimaryName = new HashMap<>();
    private final PrimaryCapture capture;
    private final ReverseProgress progress;
    private final LongConsumer ownTransaction;

    /**
     * @param tables         the old source's tables
     * @param ownTransaction told the id of each transaction reverse apply committed on the old source
     *                       (forward capture sees those changes come by and must not report them)
     */
    ReverseApplier(String stream, DataSource oldSource, BatchWriter writer, PrimaryCapture capture, Map<TableId, SourceTable> tables,
                   ReverseProgress progress, LongConsumer ownTransaction) {
        this.stream = stream;
        this.oldSource = oldSource;
        this.writer = writer;
        this.capture = capture;
        tables.forEach((id, t) -> byPrimaryName.put(capture.key(id), t));
        this.progress = progress;
        this.ownTransaction = ownTransaction;
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> events,
                            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer)
            throws InterruptedException {
        List<Change> changes = new ArrayList<>();
        Map<String, ?> lastOffset = null;
        long beatMs = -1;
        String marker = null;
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            SourceRecord record = event.value();
            if (record.sourceOffset() != null && !record.sourceOffset().isEmpty()) {
                lastOffset = record.sourceOffset();
            }
            if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
                continue;
            }
            Struct source = envelope.getStruct("source");
            String table = source.getString("table");
            ChangeOp op = ChangeOp.of(envelope.getString("op"));
            if (PrimaryHeartbeat.TABLE.equals(table)) {
                Struct after = envelope.getStruct("after");
                if (after != null) {
                    beatMs = after.getInt64("beat_ms");
                    marker = after.getString("marker") != null ? after.getString("marker") : marker;
                }
                continue;
            }
            SourceTable model = byPrimaryName.get(capture.key(source));
            if (model == null) {
                continue; // not one of the migrated tables (the include list names only those)
            }
            changes.add(new Change(model.id(), op, capture.row(model, envelope.getStruct("before")),
                    capture.row(model, envelope.getStruct("after")), null, null, source.getInt64("ts_ms"),
                    capture.where(source), 0, capture.position(source)));
        }
        if (lastOffset != null) {
            try {
                write(changes, lastOffset);
            } catch (SQLException e) {
                String where = changes.isEmpty() ? "" : " (first change: " + changes.get(0).coordinates() + ")";
                throw new IllegalStateException("Reverse apply could not write " + changes.size() + " change(s) from the new "
                        + "primary into the old source" + where + ": " + e.getMessage() + ". Nothing of the batch was "
                        + "committed; fix the cause and restart Greenlight: reverse replication resumes from the old source's "
                        + ReverseOffsets.TABLE + ".", e);
            }
        }
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        progress.applied(changes.size(), beatMs, marker, lastOffset);
    }

    private void write(List<Change> changes, Map<String, ?> offset) throws SQLException {
        try (Connection c = oldSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    // The old source is fenced (read-only by default) for the application, not for Greenlight;
                    // timestamps without offset (the new primary's DATETIME) are UTC.
                    st.execute("SET TRANSACTION READ WRITE");
                    st.execute("SET LOCAL TIME ZONE 'UTC'");
                }
                if (!changes.isEmpty()) {
                    writer.write(c, changes);
                }
                ReverseOffsets.advance(c, stream, offset);
                long xid = -1;
                if (!changes.isEmpty()) {
                    // Recorded with the changes: a restarted Greenlight still knows them for the new primary's own.
                    xid = ReverseTransactions.record(c);
                }
                if (xid >= 0) {
                    ownTransaction.accept(xid); // before the commit: forward capture may see it right after
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
