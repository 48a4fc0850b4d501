package io.greenlight.cutover;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.dialect.Dialect;
import io.greenlight.leader.Fence;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The cutover history, kept in the target's greenlight_cutover table: one row per cutover, keyed
 * by its id, so that a new cutover never overwrites an earlier record. (Versions before this kept
 * one row with id 'current'; it is read like any other.)
 */
final class CutoverStore {

    private final DataSource target;
    private final Dialect dialect;
    private final ObjectMapper json;
    private final java.util.function.Supplier<Fence> epoch;

    /** {@code epoch}: the leader's fencing token on the target, checked in the transaction of every save. */
    CutoverStore(DataSource target, Dialect dialect, ObjectMapper json, java.util.function.Supplier<Fence> epoch) {
        this.target = target;
        this.dialect = dialect;
        this.json = json;
        this.epoch = epoch;
    }

    void createTable() throws SQLException {
        try (Connection c = target.getConnection(); Statement st = c.createStatement()) {
            st.execute(dialect.createCutoverTable());
        }
    }

    /** Every stored cutover; a row Greenlight cannot read fails the whole read (it might be the one that completed). */
    List<CutoverRecord> loadAll() throws SQLException {
        List<CutoverRecord> records = new ArrayList<>();
        try (Connection c = target.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, record FROM greenlight_cutover")) {
            while (rs.next()) {
                try {
                    records.add(json.readValue(rs.getString(2), CutoverRecord.class));
                } catch (JsonProcessingException e) {
                    throw new SQLException("greenlight_cutover row id '" + rs.getString(1) + "' holds a record Greenlight cannot read: "
                            + e.getOriginalMessage(), e);
                }
            }
        }
        return records;
    }

    void save(CutoverRecord record) throws SQLException {
        String text;
        try {
            text = json.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize the cutover record: " + e.getMessage(), e);
        }
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.upsertCutover())) {
            epoch.get().inTransaction(c, () -> {
                ps.setString(1, record.id());
                ps.setString(2, record.state().name());
                ps.setString(3, text);
                ps.executeUpdate();
            });
        }
    }
}
