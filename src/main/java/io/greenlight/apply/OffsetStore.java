package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The consumed Kafka positions, kept in the target's greenlight_offsets table and written in
 * the same transaction as the changes they cover: the target's own record is the resume point.
 */
public final class OffsetStore {

    private final Dialect dialect;
    public OffsetStore(Dialect dialect) {
        this.dialect = dialect;
    }

    public void createTable(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(dialect.createOffsetsTable());
        }
    }

    /** Next offset to consume per partition, as last committed to the target. */
    public Map<TopicPartition, Long> load(Connection connection) throws SQLException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(dialect.selectOffsets())) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    offsets.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        }
        return offsets;
    }

    /** Records the positions inside the caller's transaction. */
    public void save(Connection connection, Map<TopicPartition, Long> nextOffsets) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.upsertOffset())) {
            for (Map.Entry<TopicPartition, Long> e : nextOffsets.entrySet()) {
                ps.setString(1, e.getKey().topic());
                ps.setInt(2, e.getKey().partition());
                ps.setLong(3, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
