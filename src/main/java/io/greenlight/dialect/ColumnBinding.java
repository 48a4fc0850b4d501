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
     * Whether a bulk load may take PostgreSQL's own text output of this column's values (COPY TO's
     * text format, DateStyle ISO, TimeZone UTC) as is: the target reads that text as the same value,
     * and {@link #value} would neither change nor refuse any value of the column. False where the
     * binding converts or checks (dates, decimals, floats, booleans, bytes, arrays ...).
     */
    default boolean takesSourceText() {
        return false;
    }
}
