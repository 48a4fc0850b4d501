package io.greenlight.apply;

import io.greenlight.schema.TableId;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the one change of a failed batch the target cannot take, by writing it again in
 * transactions that are always rolled back: each table's changes alone, then the failing
 * table's changes one by one. A batch error names at best a run of rows; this names the row.
 */
final class PoisonProbe {

    /** The change at {@code index} of the batch, and what the target said about it. */
    record Poison(int index, Change change, Exception cause) {
    }

    private final DataSource target;
    private final BatchWriter writer;

    PoisonProbe(DataSource target, BatchWriter writer) {
        this.target = target;
        this.writer = writer;
    }

    /** Empty when every table's changes go in on their own: the batch failed for another reason. */
    Optional<Poison> find(List<Change> batch) throws SQLException {
        Map<TableId, List<Integer>> byTable = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            byTable.computeIfAbsent(batch.get(i).table(), t -> new ArrayList<>()).add(i);
        }
        try (Connection connection = target.getConnection()) {
            connection.setAutoCommit(false);
            try {
                for (List<Integer> indexes : byTable.values()) {
                    Optional<Exception> failure = attempt(connection, indexes.stream().map(batch::get).toList());
                    connection.rollback();
                    if (failure.isPresent()) {
                        return Optional.of(narrow(connection, batch, indexes, failure.get()));
                    }
                }
                return Optional.empty();
            } finally {
                connection.rollback();
            }
        }
    }

    /** The table's changes in order, one per write: the first that fails is the poison. */
    private Poison narrow(Connection connection, List<Change> batch, List<Integer> indexes, Exception tableFailure)
            throws SQLException {
        for (int n = 0; n < indexes.size(); n++) {
            int index = indexes.get(n);
            List<Change> attempt = List.of(batch.get(index));
            if (n + 1 < indexes.size() && KeyMoves.isPair(batch.get(index), batch.get(indexes.get(n + 1)),
                    writer.tables().get(batch.get(index).table()))) {
                // The halves of a key change are written together (see KeyMoves); alone, the second always fails.
                attempt = List.of(batch.get(index), batch.get(indexes.get(++n)));
            }
            Optional<Exception> failure = attempt(connection, attempt);
            if (failure.isPresent()) {
                return new Poison(index, batch.get(index), failure.get());
            }
        }
        // Each change goes in alone but not together: hold the table at its first change.
        return new Poison(indexes.get(0), batch.get(indexes.get(0)), tableFailure);
    }

    /** The failure of writing the changes, if any; transient failures propagate to be retried. */
    private Optional<Exception> attempt(Connection connection, List<Change> changes) throws SQLException {
        try {
            writer.write(connection, changes);
            return Optional.empty();
        } catch (SQLException | RuntimeException e) {
            if (ApplyLoop.isTransient(e)) {
                throw e;
            }
            if (e instanceof SQLException sql && !connection.isValid(2)) {
                throw new SQLTransientConnectionException("the target connection was lost: " + sql.getMessage(), "08006", sql);
            }
            return Optional.of(e);
        }
    }
}
