package io.greenlight.cutover;

import io.greenlight.leader.Fence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.capture.SourceCleanup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Each cutover's record on the source, in greenlight.greenlight_cutover (one row per cutover, not
 * captured): written before the fence goes up and at every later transition, so that a start can
 * lift a fence, or know it must not, from the source alone while the target is unreachable.
 * Every session first turns a READ_ONLY fence's default off for itself.
 */
final class SourceJournal {

    static final String TABLE = "greenlight.greenlight_cutover";

    private final ObjectMapper json;
    private final java.util.function.Supplier<Fence> epoch;

    /** {@code epoch}: the leader's fencing token, checked in the transaction of every save. */
    SourceJournal(ObjectMapper json, java.util.function.Supplier<Fence> epoch) {
        this.json = json;
        this.epoch = epoch;
    }

    /** Makes the session writable under a READ_ONLY fence (a database default a session may override). */
    static void writable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION default_transaction_read_only = off");
        }
    }

    void createTable(Connection c) throws SQLException {
        writable(c);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS greenlight");
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id text PRIMARY KEY, state text NOT NULL, record text NOT NULL, "
                    + "updated_at timestamptz NOT NULL)");
            st.execute("COMMENT ON TABLE " + TABLE + " IS '" + SourceCleanup.MARK + "'");
        }
    }

    /** Saves in a transaction that first checks the leader's epoch: a stale leader records nothing. */
    void save(Connection c, CutoverRecord record) throws SQLException {
        writable(c);
        epoch.get().inTransaction(c, () -> upsert(c, record));
    }

    private void upsert(Connection c, CutoverRecord record) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, state, record, updated_at) "
                + "VALUES (?, ?, ?, clock_timestamp()) ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, "
                + "record = EXCLUDED.record, updated_at = EXCLUDED.updated_at")) {
            ps.setString(1, record.id());
            ps.setString(2, record.state().name());
            ps.setString(3, json.writeValueAsString(record));
            ps.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize the cutover record: " + e.getMessage(), e);
        }
    }

    /** Every cutover the source knows, oldest first; empty when no cutover ever fenced or armed here. */
    List<CutoverRecord> load(Connection c) throws SQLException {
        List<CutoverRecord> records = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet exists = st.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return records;
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, record FROM " + TABLE)) {
            while (rs.next()) {
                try {
                    records.add(json.readValue(rs.getString(2), CutoverRecord.class));
                } catch (JsonProcessingException e) {
                    throw new SQLException(TABLE + " on the source holds a record Greenlight cannot read (id " + rs.getString(1)
                            + "): " + e.getOriginalMessage(), e);
                }
            }
        }
        records.sort(java.util.Comparator.comparing(r -> r.transitions().isEmpty() ? java.time.Instant.EPOCH : r.transitions().get(0).at()));
        return records;
    }
}
