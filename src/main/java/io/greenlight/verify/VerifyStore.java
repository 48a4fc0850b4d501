package io.greenlight.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * Verifications kept on the source, in greenlight.greenlight_verify (one row per verification,
 * Greenlight's own schema: never published, never compared; created on first use and removed with
 * Greenlight's other source objects by POST /complete). Each write is its own short transaction
 * that declares itself READ WRITE, so a READ_ONLY fence's default does not stop it, and leaves
 * the pooled session as it was. The newest {@link #KEPT} are kept.
 */
public final class VerifyStore {

    public static final String TABLE = "greenlight.greenlight_verify";
    static final int KEPT = 50;
    private static final String MARK = "created by Greenlight"; // io.greenlight.capture.SourceCleanup.MARK

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private volatile boolean created;

    public void save(DataSource source, VerifyRecord record) throws SQLException {
        String text;
        try {
            text = json.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize verification " + record.id() + ": " + e.getMessage(), e);
        }
        try (Connection c = source.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION READ WRITE");
                if (!created) {
                    st.execute("CREATE SCHEMA IF NOT EXISTS greenlight");
                    st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id text PRIMARY KEY, state text NOT NULL, "
                            + "record text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)");
                    st.execute("COMMENT ON TABLE " + TABLE + " IS '" + MARK + "'");
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, state, record, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, clock_timestamp()) ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, "
                        + "record = EXCLUDED.record, updated_at = EXCLUDED.updated_at")) {
                    ps.setString(1, record.id());
                    ps.setString(2, record.state());
                    ps.setString(3, text);
                    ps.setObject(4, java.time.OffsetDateTime.ofInstant(record.createdAt(), java.time.ZoneOffset.UTC));
                    ps.executeUpdate();
                }
                st.execute("DELETE FROM " + TABLE + " WHERE id NOT IN (SELECT id FROM " + TABLE
                        + " ORDER BY created_at DESC LIMIT " + KEPT + ")");
                c.commit();
                created = true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    public Optional<VerifyRecord> load(DataSource source, String id) throws SQLException {
        try (Connection c = source.getConnection()) {
            try (Statement st = c.createStatement();
                 ResultSet exists = st.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return Optional.empty();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT record FROM " + TABLE + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    try {
                        return Optional.of(json.readValue(rs.getString(1), VerifyRecord.class));
                    } catch (JsonProcessingException e) {
                        throw new SQLException(TABLE + " on the source holds a record Greenlight cannot read (id " + id
                                + "): " + e.getOriginalMessage(), e);
                    }
                }
            }
        }
    }
}
