package io.greenlight.backfill;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copying one table again (POST /tables/{table}/recopy): the remedy when the target lost track of
 * it, e.g. changes Kafka deleted before they were applied. The request is recorded on the target
 * in one transaction: the table is emptied, apply's positions in its topic are forgotten, and it
 * becomes a backfill table whose copy is not done. The next start copies it at a fresh snapshot
 * (see {@link Backfill}); apply then reads its topic from the oldest change Kafka holds and skips
 * what the copy contains.
 */
public final class Recopy {

    private Recopy() {
    }

    public static void request(DataSource target, Dialect dialect, SourceTable table, String topic) throws SQLException {
        BackfillStore store = new BackfillStore(dialect);
        try (Connection connection = target.getConnection()) {
            store.createTable(connection);
            connection.setAutoCommit(false);
            try (PreparedStatement forget = connection.prepareStatement(dialect.deleteOffsets())) {
                forget.setString(1, topic);
                forget.executeUpdate();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            store.startTable(connection, table, 0, null); // commits the forgotten positions with it
        }
    }

    /**
     * The tables whose copy was asked for and is not done: what a start copies when the snapshot
     * mode is not backfill (which copies every unfinished table anyway).
     */
    public static Map<TableId, SourceTable> pending(DataSource target, Dialect dialect, Map<TableId, SourceTable> tables)
            throws SQLException {
        BackfillStore store = new BackfillStore(dialect);
        Map<TableId, BackfillStore.TableState> states;
        try (Connection connection = target.getConnection()) {
            store.createTable(connection);
            states = store.load(connection);
        }
        Map<TableId, SourceTable> pending = new LinkedHashMap<>();
        states.forEach((table, state) -> {
            if (!state.done() && tables.containsKey(table)) {
                pending.put(table, tables.get(table));
            }
        });
        return pending;
    }
}
