package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.HashMap;
import java.util.Map;

/**
 * The consumed Kafka positions, kept in the target's greenlight_offsets table and written in
 * the same transaction as the changes they cover: the target's own record is the resume point.
 */
public final class OffsetStore implements PositionStore {

    private final Dialect dialect;

    public OffsetStore(Dialect dialect) {
        this.dialect = dialect;
    }

    public void createTable(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(dialect.createOffsetsTable());
        }
    }

    @Override
    public Map<TopicPartition, PartitionPosition> load(Connection connection) throws SQLException {
        Map<TopicPartition, PartitionPosition> positions = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(dialect.selectOffsets());
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long commit = rs.getLong(4);
                boolean hasCommit = !rs.wasNull();
                long lsn = rs.getLong(5);
                boolean hasLsn = !rs.wasNull();
                int rank = rs.getInt(7);
                SourcePosition watermark = hasCommit && hasLsn ? new SourcePosition(commit, lsn, rank) : null;
                long ts = rs.getLong(6);
                positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)),
                        new PartitionPosition(rs.getLong(3), watermark, rs.wasNull() ? Long.MIN_VALUE : ts));
            }
        }
        return positions;
    }

    /**
     * Makes apply read the given partitions from their start, keeping each one's watermark (which
     * skips what was applied before): for topics recreated since the offsets were stored.
     */
    public void rewind(Connection connection, java.util.Collection<TopicPartition> partitions) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.rewindOffset())) {
            for (TopicPartition partition : partitions) {
                ps.setString(1, partition.topic());
                ps.setInt(2, partition.partition());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void save(Connection connection, Map<TopicPartition, PartitionPosition> positions) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.upsertOffset())) {
            for (Map.Entry<TopicPartition, PartitionPosition> e : positions.entrySet()) {
                ps.setString(1, e.getKey().topic());
                ps.setInt(2, e.getKey().partition());
                ps.setLong(3, e.getValue().nextOffset());
                SourcePosition watermark = e.getValue().watermark();
                if (watermark == null) {
                    ps.setNull(4, Types.BIGINT);
                    ps.setNull(5, Types.BIGINT);
                    ps.setInt(7, 0);
                } else {
                    ps.setLong(4, watermark.lastCommitLsn());
                    ps.setLong(5, watermark.lsn());
                    ps.setInt(7, watermark.rank());
                }
                if (e.getValue().sourceTsMs() == Long.MIN_VALUE) {
                    ps.setNull(6, Types.BIGINT);
                } else {
                    ps.setLong(6, e.getValue().sourceTsMs());
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
