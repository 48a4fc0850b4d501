package io.greenlight.backfill;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The backfill's progress in the target's greenlight_backfill table: per table a plan row
 * (chunk -1: chunk count, done flag, the snapshot its copy was taken at when that was not the
 * slot's) and one row per copied chunk, written in the chunk's own transaction.
 */
public final class BackfillStore {

    /** A table's recorded progress. {@code copiedAt} is null when the copy used the slot's own snapshot. */
    public record TableState(boolean done, int chunksTotal, long rowsCopied, Set<Integer> chunksDone, TxSnapshot copiedAt) {
    }

    private final Dialect dialect;

    public BackfillStore(Dialect dialect) {
        this.dialect = dialect;
    }

    public void createTable(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(dialect.createBackfillTable());
        }
    }

    public Map<TableId, TableState> load(Connection connection) throws SQLException {
        Map<TableId, TableState> plans = new HashMap<>();
        Map<TableId, Set<Integer>> chunks = new HashMap<>();
        Map<TableId, Long> rows = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(dialect.selectBackfill()); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                TableId table = TableId.parse(rs.getString(1));
                int chunk = rs.getInt(2);
                if (chunk < 0) {
                    String copiedAt = rs.getString(6);
                    plans.put(table, new TableState(rs.getInt(5) == 1, rs.getInt(4), rs.getLong(3), Set.of(),
                            copiedAt == null ? null : TxSnapshot.parse(copiedAt)));
                } else {
                    chunks.computeIfAbsent(table, t -> new HashSet<>()).add(chunk);
                    rows.merge(table, rs.getLong(3), Long::sum);
                }
            }
        }
        Map<TableId, TableState> states = new HashMap<>();
        plans.forEach((table, plan) -> states.put(table, new TableState(plan.done(), plan.chunksTotal(),
                plan.done() ? plan.rowsCopied() : rows.getOrDefault(table, 0L),
                Set.copyOf(chunks.getOrDefault(table, Set.of())), plan.copiedAt())));
        return states;
    }

    /**
     * Starts (or restarts) a table's copy in one transaction: empties the target table, forgets
     * its chunks, and records the plan and the snapshot the copy is taken at.
     */
    public void startTable(Connection connection, SourceTable table, int chunksTotal, TxSnapshot copiedAt) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement();
             PreparedStatement forget = connection.prepareStatement(dialect.deleteBackfill());
             PreparedStatement plan = connection.prepareStatement(dialect.insertBackfill())) {
            st.execute(dialect.deleteAll(table));
            forget.setString(1, table.id().toString());
            forget.executeUpdate();
            plan.setString(1, table.id().toString());
            plan.setInt(2, -1);
            plan.setLong(3, 0);
            plan.setInt(4, chunksTotal);
            plan.setInt(5, 0);
            if (copiedAt == null) {
                plan.setNull(6, Types.VARCHAR);
            } else {
                plan.setString(6, copiedAt.toString());
            }
            plan.executeUpdate();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Records a copied chunk inside the caller's transaction (the one that wrote its rows). */
    public void chunkDone(Connection connection, Chunk chunk, long rows) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.insertBackfill())) {
            ps.setString(1, chunk.table().toString());
            ps.setInt(2, chunk.index());
            ps.setLong(3, rows);
            ps.setInt(4, 0);
            ps.setInt(5, 1);
            ps.setNull(6, Types.VARCHAR);
            ps.executeUpdate();
        }
    }

    public void finish(Connection connection, TableId table, long rows) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.finishBackfill())) {
            ps.setLong(1, rows);
            ps.setString(2, table.toString());
            ps.executeUpdate();
        }
    }
}
