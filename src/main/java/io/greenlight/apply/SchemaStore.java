package io.greenlight.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The table models apply writes with after it followed source DDL, kept on the target
 * ({@code greenlight_schema}) in the transaction that altered the table. A restart starts from
 * them rather than from the source's catalog, which may already hold DDL still to come in the
 * stream: that DDL is then translated when apply meets it, as it would have been.
 */
public final class SchemaStore {

    private static final Logger LOG = Logger.getLogger(SchemaStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Dialect dialect;

    public SchemaStore(Dialect dialect) {
        this.dialect = dialect;
    }

    public void createTable(Connection target) throws SQLException {
        try (Statement st = target.createStatement()) {
            st.execute(dialect.createSchemaTable());
        }
    }

    /** Records the model (null: the table was dropped) in the caller's transaction. */
    void save(Connection target, TableId table, SourceTable model) throws SQLException {
        if (model == null) {
            try (PreparedStatement ps = target.prepareStatement(dialect.deleteSchema())) {
                ps.setString(1, table.toString());
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = target.prepareStatement(dialect.upsertSchema())) {
            ps.setString(1, table.toString());
            ps.setString(2, JSON.writeValueAsString(model));
            ps.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The model of " + table + " cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The captured tables with each model apply recorded replacing the catalog's (numeric extents,
     * measured at this start, kept from {@code tables}); a table without one is recorded as the catalog
     * has it now (its first start).
     */
    public Map<TableId, SourceTable> overlay(Connection target, Map<TableId, SourceTable> tables) throws SQLException {
        createTable(target);
        Map<TableId, SourceTable> result = new LinkedHashMap<>(tables);
        java.util.Set<TableId> recorded = new java.util.HashSet<>();
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(dialect.selectSchemas())) {
            while (rs.next()) {
                TableId id = TableId.parse(rs.getString(1));
                SourceTable current = tables.get(id);
                if (current == null) {
                    continue;
                }
                recorded.add(id);
                SourceTable stored;
                try {
                    stored = JSON.readValue(rs.getString(2), SourceTable.class);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("greenlight_schema holds an unreadable model of " + id + ": "
                            + e.getMessage() + ". Delete its row (DELETE FROM greenlight_schema WHERE table_name = '" + id
                            + "') and copy the table again: POST /tables/" + id + "/recopy.", e);
                }
                if (!stored.equals(current.withNumericExtents(stored.numericExtents()))) {
                    LOG.infof("Table %s starts from the model apply recorded after its last DDL; the source's catalog "
                            + "differs (DDL still to come in the stream is applied where apply meets it)", id);
                }
                result.put(id, stored.withNumericExtents(current.numericExtents().isEmpty() ? stored.numericExtents()
                        : current.numericExtents()));
            }
        }
        for (SourceTable table : tables.values()) {
            if (!recorded.contains(table.id())) {
                save(target, table.id(), table);
            }
        }
        if (!target.getAutoCommit()) {
            target.commit();
        }
        return result;
    }
}
