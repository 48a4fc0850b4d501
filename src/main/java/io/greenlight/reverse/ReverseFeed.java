package io.greenlight.reverse;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.greenlight.apply.BatchApply;
import io.greenlight.apply.TableHolds;
import io.greenlight.apply.BatchWriter;
import io.greenlight.apply.Change;
import io.greenlight.apply.PartitionPosition;
import io.greenlight.apply.PoisonPolicy;
import io.greenlight.apply.TablePauses;
import io.greenlight.capture.HeartbeatTable;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Reverse capture feeding apply: each batch the new primary's capture (binlog or pgoutput,
 * {@link PrimaryCapture}) delivers becomes changes to the old source's original tables, written by
 * the same {@link BatchApply} forward apply uses (one transaction with the stream's position,
 * transient failures retried, the change at fault named), and it tells the direction's
 * {@link LagTracker} what it published and applied, as forward capture and apply do. Only after the
 * commit does the engine learn the batch is done: a restart resumes from the old source's own
 * record, and writing a batch again changes nothing (upserts, deletes by key).
 *
 * <p>What forward has and this has not: Kafka between capture and apply. The events are numbered in
 * one partition of their own ({@code partition}), which is what lag and the batch unit count with.
 */
final class ReverseFeed implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>>, AutoCloseable {

    /** Reverse replication holds no table: a change the old source cannot take stops it (see ReverseReplication). */
    private static final TableHolds NONE_HELD = new TableHolds((table, at) -> {
        throw new IllegalStateException("reverse apply holds no table: " + table + " cannot be paused");
    });

    private final TopicPartition partition;
    private final BatchApply batches;
    private final ReversePositions positions;
    private final PrimaryCapture capture;
    private final HeartbeatTable heartbeat;
    private final LagTracker lag;
    private final Consumer<Map<String, ?>> committed;
    private final Map<String, SourceTable> byPrimaryName = new HashMap<>();
    /** The number of the next event (the pseudo partition's next offset). */
    private long next;

    /**
     * @param stream         the stream's name (its row in {@link ReverseOffsets}, and its partition's)
     * @param oldSource      where it writes (sessions in UTC, passing a READ_ONLY fence)
     * @param tables         the old source's tables
     * @param ownTransaction told the id of each transaction it commits on the old source, before the commit
     * @param committed      told the engine offset of each batch committed on the old source
     */
    ReverseFeed(String stream, DataSource oldSource, PrimaryCapture capture, Map<TableId, SourceTable> tables, LagTracker lag,
                PipelineMeters meters, LongConsumer ownTransaction, Consumer<Map<String, ?>> committed) {
        this.partition = new TopicPartition(stream, 0);
        this.positions = new ReversePositions(stream, partition, ownTransaction);
        BatchWriter writer = new BatchWriter(new PostgresDialect(), tables, null);
        // A change the old source cannot take stops reverse replication, named: no table of a standby is left behind.
        PoisonPolicy poison = new PoisonPolicy(PoisonPolicy.Mode.STOP_PIPELINE, Optional.empty(), new TablePauses(meters),
                oldSource, writer, positions);
        // Transient failures (the old source restarting, a lost connection) are retried until it is back: lag grows meanwhile.
        this.batches = new BatchApply(oldSource, writer, positions, meters, lag, poison, Duration.ofDays(3650));
        batches.writingTo("the old source");
        this.capture = capture;
        this.heartbeat = capture.heartbeatTable();
        this.lag = lag;
        this.committed = committed;
        tables.forEach((id, t) -> byPrimaryName.put(capture.key(id), t));
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> events,
                            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer)
            throws InterruptedException {
        List<Change> changes = new ArrayList<>();
        Map<String, ?> lastOffset = null;
        long newest = Long.MIN_VALUE;
        long oldest = Long.MAX_VALUE;
        String marker = null;
        String first = null;
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            SourceRecord record = event.value();
            long number = next++;
            if (record.sourceOffset() != null && !record.sourceOffset().isEmpty()) {
                lastOffset = record.sourceOffset();
            }
            if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
                continue;
            }
            Struct source = envelope.getStruct("source");
            String schema = source.schema().field("schema") != null ? source.getString("schema") : null;
            if (heartbeat.is(schema, source.getString("table"))) {
                Struct after = envelope.getStruct("after");
                if (after != null) {
                    // Lag counts with the beats alone: they carry our clock in ms (a binlog event's time has whole
                    // seconds only, and the new primary's clock may differ from ours).
                    long beatMs = after.getInt64("beat_ms");
                    newest = Math.max(newest, beatMs);
                    oldest = Math.min(oldest, beatMs);
                    marker = after.getString("marker") != null ? after.getString("marker") : marker;
                }
                continue;
            }
            SourceTable model = byPrimaryName.get(capture.key(source));
            if (model == null) {
                continue; // not one of the migrated tables (the include list names only those)
            }
            long ts = source.getInt64("ts_ms");
            changes.add(new Change(model.id(), ChangeOp.of(envelope.getString("op")), capture.row(model, envelope.getStruct("before")),
                    capture.row(model, envelope.getStruct("after")), null, null, ts, partition.topic(), partition.partition(), number));
            if (first == null) {
                first = "table " + model.id() + ", " + capture.where(source) + " at " + capture.position(source);
            }
        }
        if (lastOffset != null) {
            positions.delivered(next, lastOffset, !changes.isEmpty());
            lag.published(newest, Map.of(partition, next - 1), oldest == Long.MAX_VALUE ? Map.of() : Map.of(partition, oldest));
            if (marker != null) {
                lag.markerPublished(marker);
            }
            try {
                batches.commit(changes, Map.of(partition, new PartitionPosition(next, null, newest)), List.of(partition), NONE_HELD);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                String where = first == null ? "" : " (first change: " + first + ")";
                throw new IllegalStateException("Reverse apply could not write " + changes.size() + " change(s) from the new "
                        + "primary into the old source" + where + ": " + e.getMessage() + ". Nothing of the batch was "
                        + "committed; fix the cause and restart Greenlight: reverse replication resumes from the old source's "
                        + ReverseOffsets.TABLE + ".", e);
            }
            committed.accept(lastOffset);
        }
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    /** A stop was asked for: a batch still being written is rolled back (the engine delivers it again). */
    @Override
    public void close() {
        batches.close();
    }
}
