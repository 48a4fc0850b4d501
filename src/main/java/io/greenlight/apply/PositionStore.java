package io.greenlight.apply;

import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * Where a stream stands on the end it is applied to, written in the same transaction as the
 * changes it covers, so that end's own record is the resume point: Kafka positions in the
 * target's greenlight_offsets forward ({@link OffsetStore}), the reverse stream's source offset
 * on the old source in reverse (io.greenlight.reverse).
 */
public interface PositionStore {

    /** The positions the end holds now. */
    Map<TopicPartition, PartitionPosition> load(Connection connection) throws SQLException;

    /** Records the positions inside the caller's transaction. */
    void save(Connection connection, Map<TopicPartition, PartitionPosition> positions) throws SQLException;
}
