package io.greenlight.verify;

import java.util.List;

/**
 * How far the comparison of one table got: every key up to and including {@code after} (the key
 * values as text) is compared, with these counts and mismatches (at most the re-check limit; the
 * rest counted in {@code unchecked}, per kind). Kept with the verification on the source, so a
 * verification stopped inside a large table continues after that key.
 */
public record TableCheckpoint(String table, List<String> after, long sourceRows, long targetRows,
                              List<SavedMismatch> mismatches, List<Long> unchecked) {

    /** A mismatched row: kind (MISSING, EXTRA, DIFFERING), key values as text, differing columns. */
    public record SavedMismatch(String kind, List<String> key, List<String> columns) {
    }

    public TableCheckpoint {
        after = List.copyOf(after);
        mismatches = mismatches == null ? List.of() : List.copyOf(mismatches);
        unchecked = unchecked == null ? List.of(0L, 0L, 0L) : List.copyOf(unchecked);
    }
}
