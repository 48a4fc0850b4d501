package io.greenlight.verify;

import java.util.List;

/**
 * The outcome of comparing source and target, table by table; {@code notCompared} names the
 * tables a bounded verification had no time for (their verdicts are not in {@code tables}).
 */
public record VerificationResult(List<TableVerdict> tables, List<String> notCompared) {

    public VerificationResult {
        tables = List.copyOf(tables);
        notCompared = List.copyOf(notCompared);
    }

    public VerificationResult(List<TableVerdict> tables) {
        this(tables, List.of());
    }

    /** Every table was compared. */
    public boolean complete() {
        return notCompared.isEmpty();
    }

    public boolean matches() {
        return complete() && tables.stream().allMatch(TableVerdict::matches);
    }

    public long mismatchedRows() {
        return tables.stream().mapToLong(TableVerdict::mismatchedRows).sum();
    }

    public String summary() {
        String differing = tables.stream().filter(t -> !t.matches())
                .map(t -> t.table() + ": " + t.mismatchedRows() + " mismatched (" + t.detail() + ")")
                .reduce((a, b) -> a + "; " + b).orElse(null);
        if (!complete()) {
            String open = notCompared.size() + " of " + (tables.size() + notCompared.size()) + " table(s) not compared ("
                    + String.join(", ", notCompared) + ")";
            return differing == null ? open + "; the " + tables.size() + " compared match" : differing + "; " + open;
        }
        return differing != null ? differing : "all " + tables.size() + " table(s) match";
    }
}
