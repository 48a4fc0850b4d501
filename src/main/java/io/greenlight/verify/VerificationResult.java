package io.greenlight.verify;

import java.util.List;

/** The outcome of comparing source and target, table by table. */
public record VerificationResult(List<TableVerdict> tables) {

    public boolean matches() {
        return tables.stream().allMatch(TableVerdict::matches);
    }

    public long mismatchedRows() {
        return tables.stream().mapToLong(TableVerdict::mismatchedRows).sum();
    }

    public String summary() {
        return tables.stream().filter(t -> !t.matches())
                .map(t -> t.table() + ": " + t.mismatchedRows() + " mismatched (" + t.detail() + ")")
                .reduce((a, b) -> a + "; " + b).orElse("all " + tables.size() + " table(s) match");
    }
}
