package io.greenlight.backfill;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A captured table the source renamed in a migrated schema is copied under its new name (the
 * change stream cannot carry it on: capture filters tables by name). What Greenlight kept under the
 * old name goes, in one target transaction: apply's positions in its topic, the model apply wrote it
 * with, its copy's record; then the target table of the old name is dropped. Run while the pipeline
 * is stopped, before the start that copies the new name.
 */
public final class RenamedTable {

    private RenamedTable() {
    }

    public static void forget(DataSource target, Dialect dialect, SourceTable old, String topic) throws SQLException {
        BackfillStore store = new BackfillStore(dialect);
        try (Connection connection = target.getConnection()) {
            store.createTable(connection);
            try (Statement st = connection.createStatement()) {
                st.execute(dialect.createSchemaTable());
            }
            connection.setAutoCommit(false);
            try {
                for (String sql : new String[] {dialect.deleteOffsets(), dialect.deleteSchema(), dialect.deleteBackfill()}) {
                    try (PreparedStatement ps = connection.prepareStatement(sql)) {
                        ps.setString(1, sql.equals(dialect.deleteOffsets()) ? topic : old.id().toString());
                        ps.executeUpdate();
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            connection.setAutoCommit(true);
            try (Statement st = connection.createStatement()) {
                st.execute(dialect.dropTable(old));
            }
        }
    }
}
