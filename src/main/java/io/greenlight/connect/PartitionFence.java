package io.greenlight.connect;

import io.greenlight.apply.PartitionPosition;
import io.greenlight.leader.Fence;
import io.greenlight.leader.StaleLeaderException;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * A sink task's fencing token: its partitions' rows in greenlight_offsets, locked first in every
 * target transaction and compared with what the task last committed. A task that lost its
 * partitions in a rebalance (a zombie on a worker that was cut off) finds another task's offsets
 * there and commits nothing: the new owner's resume point stays exact.
 */
final class PartitionFence implements Fence {

    private static final String LOCK = "SELECT next_offset FROM greenlight_offsets WHERE topic = ? AND kafka_partition = ? FOR UPDATE";

    private final Map<TopicPartition, PartitionPosition> committed;
    private final List<TopicPartition> assigned;

    PartitionFence(Map<TopicPartition, PartitionPosition> committed, List<TopicPartition> assigned) {
        this.committed = committed;
        this.assigned = assigned;
    }

    @Override
    public void check(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(LOCK)) {
            for (TopicPartition partition : assigned) {
                ps.setString(1, partition.topic());
                ps.setInt(2, partition.partition());
                PartitionPosition expected = committed.get(partition);
                try (ResultSet rs = ps.executeQuery()) {
                    Long stored = rs.next() ? rs.getLong(1) : null;
                    Long mine = expected == null ? null : expected.nextOffset();
                    if (!java.util.Objects.equals(stored, mine)) {
                        throw new StaleLeaderException("greenlight_offsets holds " + stored + " as the next offset of "
                                + partition + ", this task committed " + mine + " last.");
                    }
                }
            }
        }
    }

    @Override
    public void after(Connection connection) {
    }
}
