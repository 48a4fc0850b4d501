package io.greenlight.apply;

import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Struct;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What apply does with a batch that failed for a reason retrying cannot cure
 * ({@code greenlight.apply.on-error}, {@code greenlight.apply.dead-letter-topic}): find the one
 * change at fault, then pause its table at that change, stop the pipeline, or copy the change
 * to the dead-letter topic. Never a silent skip. The rest of the batch is written again without
 * what was held back, in one transaction as before.
 */
public final class PoisonPolicy {

    public enum Mode {
        PAUSE_TABLE, STOP_PIPELINE;

        /** From the config value pause-table / stop-pipeline (validated at start). */
        public static Mode of(String value) {
            return value.equals("stop-pipeline") ? STOP_PIPELINE : PAUSE_TABLE;
        }
    }

    /**
     * The batch to write instead, its positions, and where each partition just paused must be
     * read again from on resume (null: from the beginning, nothing was ever committed).
     */
    record Narrowed(List<Change> changes, Map<TopicPartition, PartitionPosition> next,
                    TableId paused, Map<TopicPartition, PartitionPosition> pausedAt) {
    }

    private static final Logger LOG = Logger.getLogger(PoisonPolicy.class);

    private final Mode mode;
    private final Optional<? extends DeadLetterSink> deadLetters;
    private final TablePauses pauses;
    private final DataSource target;
    private final BatchWriter writer;
    private final PositionStore offsets;
    private final PoisonProbe probe;

    public PoisonPolicy(Mode mode, Optional<? extends DeadLetterSink> deadLetters, TablePauses pauses, DataSource target,
                        BatchWriter writer, PositionStore offsets) {
        this.mode = mode;
        this.deadLetters = deadLetters;
        this.pauses = pauses;
        this.target = target;
        this.writer = writer;
        this.offsets = offsets;
        this.probe = new PoisonProbe(target, writer);
    }

    /**
     * Called with a batch that failed with {@code failure}, which is not transient. Returns the
     * batch without the change at fault (or without its table from that change on), or throws
     * when apply must stop: stop-pipeline, or no single change is at fault.
     */
    Narrowed narrow(List<Change> batch, Map<TopicPartition, PartitionPosition> next, List<TopicPartition> partitions,
                    Exception failure) throws Exception {
        Optional<PoisonProbe.Poison> found = probe.find(batch);
        if (found.isEmpty()) {
            throw failure;
        }
        PoisonProbe.Poison poison = found.get();
        Change bad = poison.change();
        String what = describe(bad, poison.cause());
        if (deadLetters.isPresent()) {
            deadLetters.get().send(bad, what);
            List<Change> rest = new ArrayList<>(batch);
            rest.remove(poison.index());
            return new Narrowed(rest, next, null, Map.of());
        }
        if (mode == Mode.STOP_PIPELINE) {
            throw new ApplyException("Apply stopped (greenlight.apply.on-error=stop-pipeline) at " + what, poison.cause());
        }
        String error = "Table " + bad.table() + " paused (the other tables go on) at " + what
                + " After fixing the cause, POST /tables/" + bad.table() + "/resume (or restart Greenlight).";
        return pause(batch, next, partitions, poison, error);
    }

    /**
     * The table's changes before the poison stay in the batch; from the poison on, none. Each of
     * its partitions is then held after its last change kept (the poison's own exactly at it).
     */
    private Narrowed pause(List<Change> batch, Map<TopicPartition, PartitionPosition> next, List<TopicPartition> partitions,
                           PoisonProbe.Poison poison, String error) throws Exception {
        Change bad = poison.change();
        Map<TopicPartition, PartitionPosition> stored;
        try (Connection connection = target.getConnection()) {
            stored = offsets.load(connection);
        }
        List<Change> kept = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (i < poison.index() || !batch.get(i).table().equals(bad.table())) {
                kept.add(batch.get(i));
            }
        }
        Map<TopicPartition, PartitionPosition> positions = new HashMap<>(next);
        Map<TopicPartition, PartitionPosition> pausedAt = new HashMap<>();
        for (TopicPartition partition : partitions) {
            if (!partition.topic().equals(bad.topic())) {
                continue;
            }
            PartitionPosition at = stored.get(partition);
            boolean keptAny = false;
            for (int i = 0; i < poison.index(); i++) {
                Change c = batch.get(i);
                if (c.table().equals(bad.table()) && c.partition() == partition.partition()) {
                    at = PartitionPosition.after(at, c);
                    keptAny = true;
                }
            }
            positions.remove(partition);
            if (keptAny) {
                if (partition.partition() == bad.partition()) {
                    at = new PartitionPosition(bad.offset(), at.watermark(), at.sourceTsMs());
                }
                positions.put(partition, at);
            }
            pausedAt.put(partition, at);
        }
        pauses.pause(bad.table(), error, bad.sourceTsMs());
        LOG.errorf("Apply of %s paused: %s", bad.table(), error);
        return new Narrowed(kept, positions, bad.table(), pausedAt);
    }

    /** "public.prices key {id=42}, LSN 0/1A2B3C4 (Kafka t-0@17): <what the target said>." */
    private String describe(Change change, Exception cause) {
        SourceTable table = writer.tables().get(change.table());
        Struct row = change.after() != null ? change.after() : change.before();
        String key = table != null && row != null ? " key " + RowKey.of(table, row) : "";
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
        return change.table() + key + ", LSN " + Change.formatLsn(change.lsn()) + " (" + change.op().label() + ", Kafka "
                + change.topic() + "-" + change.partition() + "@" + change.offset() + "): " + reason
                + (reason.endsWith(".") ? "" : ".");
    }
}
