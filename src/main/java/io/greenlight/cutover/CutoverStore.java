package io.greenlight.cutover;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.dialect.Dialect;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** The cutover record, kept in the target's greenlight_cutover table (one row: the cutover). */
final class CutoverStore {

    private static final String ROW = "current";

    private final DataSource target;
    private final Dialect dialect;
    private final ObjectMapper json;

    CutoverStore(DataSource target, Dialect dialect, ObjectMapper json) {
        this.target = target;
        this.dialect = dialect;
        this.json = json;
    }

    void createTable() throws SQLException {
        try (Connection c = target.getConnection(); Statement st = c.createStatement()) {
            st.execute(dialect.createCutoverTable());
        }
    }

    Optional<CutoverRecord> load() throws SQLException {
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.selectCutover())) {
            ps.setString(1, ROW);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(json.readValue(rs.getString(1), CutoverRecord.class));
            }
        } catch (JsonProcessingException e) {
            throw new SQLException("greenlight_cutover holds a record Greenlight cannot read: " + e.getMessage(), e);
        }
    }

    void save(CutoverRecord record) throws SQLException {
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.upsertCutover())) {
            c.setAutoCommit(true);
            ps.setString(1, ROW);
            ps.setString(2, record.state().name());
            ps.setString(3, json.writeValueAsString(record));
            ps.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize the cutover record: " + e.getMessage(), e);
        }
    }
}
