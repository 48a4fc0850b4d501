package io.greenlight.reverse;

import io.greenlight.apply.PartitionPosition;
import io.greenlight.apply.PositionStore;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The reverse stream's {@link PositionStore}: reverse capture hands its batches to apply directly
 * (no Kafka between, see {@link ReverseFeed}), so a batch's events are numbered in one partition
 * of their own, and this store writes the engine's source offset the batch ended at (binlog
 * position or LSN) into the old source's greenlight.greenlight_reverse in the batch's transaction
 * ({@link ReverseOffsets}), with the transaction's id when it wrote changes ({@link ReverseTransactions}).
 */
final class ReversePositions implements PositionStore {

    /** The batch being written: the number after its last event, the engine offset it ends at, whether it holds changes. */
    private record Delivered(long next, Map<String, ?> offset, boolean changes) {
    }

    private final String stream;
    private final TopicPartition partition;
    private final LongConsumer ownTransaction;
    private volatile Delivered delivered;
    private volatile PartitionPosition committed;

    /**
     * @param ownTransaction told the id of each transaction reverse apply committed on the old source,
     *                       before it commits (forward capture sees those changes come by and must not report them)
     */
    ReversePositions(String stream, TopicPartition partition, LongConsumer ownTransaction) {
        this.stream = stream;
        this.partition = partition;
        this.ownTransaction = ownTransaction;
    }

    /** The engine's batch about to be written: its events are numbered below {@code next} and end at {@code offset}. */
    void delivered(long next, Map<String, ?> offset, boolean changes) {
        delivered = new Delivered(next, offset, changes);
    }

    /** The position committed last in this run (numbers restart with every run; the old source keeps the engine offset). */
    @Override
    public Map<TopicPartition, PartitionPosition> load(Connection connection) {
        PartitionPosition last = committed;
        return last == null ? Map.of() : Map.of(partition, last);
    }

    @Override
    public void save(Connection connection, Map<TopicPartition, PartitionPosition> positions) throws SQLException {
        PartitionPosition position = positions.get(partition);
        Delivered batch = delivered;
        if (position == null) {
            return;
        }
        if (batch == null || batch.next() != position.nextOffset()) {
            throw new IllegalStateException("Reverse apply was asked to record position " + position.nextOffset() + " of stream "
                    + stream + ", but the batch delivered ends at " + (batch == null ? "nothing" : batch.next())
                    + ": nothing is written. Restart Greenlight; reverse replication resumes from " + ReverseOffsets.TABLE + ".");
        }
        ReverseOffsets.advance(connection, stream, batch.offset());
        if (batch.changes()) {
            // Recorded with the changes: a restarted Greenlight still knows them for the new primary's own.
            ownTransaction.accept(ReverseTransactions.record(connection)); // before the commit: forward capture may see it right after
        }
        committed = position;
    }
}
