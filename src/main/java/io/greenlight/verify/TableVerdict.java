package io.greenlight.verify;

import java.util.List;

/**
 * One table's comparison: the rows on each side and how many differ (missing + extra +
 * differing, after in-flight rows were re-checked), bounded samples of them with their keys, and
 * how many rows differed only because changes were in flight.
 */
public record TableVerdict(String table, long sourceRows, long targetRows, long mismatchedRows, String detail,
                           long missingRows, long extraRows, long differingRows, long inFlightRows,
                           List<RowSample> samples) {

    public TableVerdict {
        samples = List.copyOf(samples);
    }

    /** A verdict from counts only. */
    public TableVerdict(String table, long sourceRows, long targetRows, long mismatchedRows, String detail) {
        this(table, sourceRows, targetRows, mismatchedRows, detail, 0, 0, 0, 0, List.of());
    }

    public boolean matches() {
        return mismatchedRows == 0;
    }
}
