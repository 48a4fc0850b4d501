package io.greenlight.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Streams one side's rows as canonical values with a server-side cursor: PostgreSQL fetches
 * {@code fetchSize} rows at a time (the connection is in a transaction), MySQL/MariaDB streams
 * row by row (fetch size Integer.MIN_VALUE). Never holds the table in memory.
 */
final class RowStream implements AutoCloseable {

    private final Statement statement;
    private final ResultSet rs;
    private final TableQueries queries;
    private final boolean targetSide;
    private final Deadline deadline;

    RowStream(Connection connection, TableQueries queries, boolean targetSide, int fetchSize, Deadline deadline)
            throws SQLException {
        this.queries = queries;
        this.targetSide = targetSide;
        this.deadline = deadline;
        this.statement = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        statement.setFetchSize(targetSide && !queries.sameEngine ? Integer.MIN_VALUE : fetchSize);
        deadline.reading(statement);
        try {
            this.rs = statement.executeQuery(targetSide ? queries.targetScan() : queries.sourceScan());
        } catch (SQLException e) {
            deadline.done(statement);
            statement.close();
            throw e;
        }
    }

    /** The next row, or null after the last. */
    Object[] next() throws SQLException {
        return rs.next() ? queries.read(rs, targetSide) : null;
    }

    @Override
    public void close() throws SQLException {
        try {
            rs.close();
        } finally {
            deadline.done(statement);
            statement.close();
        }
    }
}
