package io.greenlight.verify;

/** One table's comparison: the rows on each side and how many differ (missing + extra + changed). */
public record TableVerdict(String table, long sourceRows, long targetRows, long mismatchedRows, String detail) {

    public boolean matches() {
        return mismatchedRows == 0;
    }
}
