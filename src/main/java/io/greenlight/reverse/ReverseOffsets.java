package io.greenlight.reverse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.capture.SourceCleanup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

/**
 * Where reverse replication stands, on the old source (PostgreSQL), in
 * greenlight.greenlight_reverse (one row per stream, not captured). Seeded with the new primary's
 * position (binlog or LSN) recorded while both sides are fenced, before the switch; then advanced in the
 * same transaction as every batch reverse apply writes, so the old source's own record says
 * exactly which changes it holds.
 */
public final class ReverseOffsets {

    static final String TABLE = "greenlight.greenlight_reverse";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a stream stands: its Debezium source offset, the position it started from, when it was seeded. */
    public record Stored(Map<String, Object> offset, String startedAt, String cutover) {
    }

    private ReverseOffsets() {
    }

    public static void createTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION default_transaction_read_only = off");
            st.execute("CREATE SCHEMA IF NOT EXISTS greenlight");
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (stream text PRIMARY KEY, cutover text NOT NULL, "
                    + "started_at text NOT NULL, source_offset text NOT NULL, updated_at timestamptz NOT NULL)");
            st.execute("COMMENT ON TABLE " + TABLE + " IS '" + SourceCleanup.MARK + "'");
        }
        ReverseTransactions.createTable(c);
    }

    /** Records where the stream starts (before the switch): replaces what an earlier switch recorded. */
    public static void seed(Connection c, String stream, String cutover, ReverseStart start) throws SQLException {
        createTable(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
                + " (stream, cutover, started_at, source_offset, updated_at) VALUES (?, ?, ?, ?, clock_timestamp()) "
                + "ON CONFLICT (stream) DO UPDATE SET cutover = EXCLUDED.cutover, started_at = EXCLUDED.started_at, "
                + "source_offset = EXCLUDED.source_offset, updated_at = EXCLUDED.updated_at")) {
            ps.setString(1, stream);
            ps.setString(2, cutover);
            ps.setString(3, start.toString());
            ps.setString(4, json(start.offset()));
            ps.executeUpdate();
        }
    }

    /** Advances the stream inside the caller's transaction (the one that wrote the batch). */
    static void advance(Connection c, String stream, Map<String, ?> offset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE
                + " SET source_offset = ?, updated_at = clock_timestamp() WHERE stream = ?")) {
            ps.setString(1, json(offset));
            ps.setString(2, stream);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("Reverse stream " + stream + " has no row in " + TABLE + " on the old source: "
                        + "it was completed or removed; the batch is not written.");
            }
        }
    }

    public static Optional<Stored> load(Connection c, String stream) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet exists = st.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return Optional.empty();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT source_offset, started_at, cutover FROM " + TABLE + " WHERE stream = ?")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Stored(JSON.readValue(rs.getString(1), new TypeReference<Map<String, Object>>() { }),
                        rs.getString(2), rs.getString(3)));
            } catch (JsonProcessingException e) {
                throw new SQLException("The reverse stream " + stream + "'s offset in " + TABLE + " is not JSON: " + e.getOriginalMessage());
            }
        }
    }

    /** Forgets the stream (complete): drops Greenlight's reverse bookkeeping table from the old source. */
    public static void remove(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION default_transaction_read_only = off");
            st.execute("DROP TABLE IF EXISTS " + TABLE);
        }
        ReverseTransactions.drop(c);
    }

    static String json(Map<String, ?> offset) {
        try {
            return JSON.writeValueAsString(offset);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize a binlog offset: " + e.getMessage(), e);
        }
    }
}
