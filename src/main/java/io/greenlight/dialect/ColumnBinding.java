package io.greenlight.dialect;

import org.apache.kafka.connect.data.Schema;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * {@link Dialect#bind} for one column, with what depends only on the column (whether its loss was
 * accepted) decided once: loops over many rows (the backfill) use it instead of deciding per value.
 */
public interface ColumnBinding {

    /** Binds one change-event value as {@link Dialect#bind} does. */
    void bind(PreparedStatement statement, int index, Schema valueSchema, Object value) throws SQLException;

    /**
     * The parameter {@link #bind} would set, null where it would set NULL: what a bulk load
     * ({@link Dialect#bulkLoad}) writes as text. Only dialects with a bulk load have it.
     */
    default Object value(Schema valueSchema, Object value) {
        throw new UnsupportedOperationException("this target has no bulk load");
    }

    /**
     * Writes the next field of a bulk load straight from PostgreSQL's own text output of the value
     * (the bytes [from, to) of a COPY TO text row: DateStyle ISO, TimeZone UTC, COPY's escapes, \N
     * for NULL) and answers true, where the target reads that text as the same value and
     * {@link #value} could neither change nor refuse it; answers false, having written nothing,
     * where the value must be read and go through {@link #value} (its checks and lossy policy).
     */
    default boolean sourceText(byte[] row, int from, int to, TabSeparatedRows out) {
        return false;
    }
}
