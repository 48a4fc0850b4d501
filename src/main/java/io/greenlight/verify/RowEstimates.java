package io.greenlight.verify;

import io.greenlight.schema.SourceTable;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The source catalog's row estimates (pg_class.reltuples, kept by ANALYZE and autovacuum): the
 * size of a verification before each table's exact count is taken in its snapshot. A table never
 * analyzed has none (-1) and stays without an estimate until it is counted.
 */
final class RowEstimates {

    private static final Logger LOG = Logger.getLogger(RowEstimates.class);

    private RowEstimates() {
    }

    static void read(DataSource source, List<SourceTable> tables, VerifyProgress progress) {
        try (Connection c = source.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(?)")) {
            for (SourceTable table : tables) {
                ps.setString(1, table.id().quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getLong(1) >= 0) {
                        progress.estimated(table.id().toString(), rs.getLong(1));
                    }
                }
            }
        } catch (SQLException e) {
            // Only the ETA depends on it: the comparison counts every table itself.
            LOG.debugf("No row estimates from the source catalog: %s", e.getMessage());
        }
    }
}
