package io.greenlight.verify;

import java.util.List;

/**
 * One mismatched row of a report: {@code kind} is missing (on the target), extra (on the
 * target only) or differing; {@code key} names it ({@code id=42}, or the whole row of a keyless
 * table); {@code columns} are the differing columns.
 */
public record RowSample(String kind, String key, List<String> columns) {

    public RowSample {
        columns = List.copyOf(columns);
    }

    @Override
    public String toString() {
        return columns.isEmpty() ? key : key + " " + columns;
    }
}
