package io.greenlight.verify;

import java.time.Instant;
import java.util.List;

/**
 * What the source's greenlight.greenlight_verify keeps of one verification: enough to answer
 * GET /verify/{id} after a restart and to continue it, comparing only the tables not done.
 * {@code verdicts} are the finished tables' verdicts, in the order they finished; {@code checkpoints}
 * how far the comparison of a table without a verdict got (it continues after that key).
 */
public record VerifyRecord(String id, String state, List<String> tables, int chunkSize, Long maxDurationSeconds,
                           Instant createdAt, Instant finishedAt, List<TableVerdict> verdicts, List<String> notCompared,
                           String stopReason, String error, int attempts, List<TableCheckpoint> checkpoints) {

    public VerifyRecord {
        tables = List.copyOf(tables);
        verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
        notCompared = notCompared == null ? List.of() : List.copyOf(notCompared);
        checkpoints = checkpoints == null ? List.of() : List.copyOf(checkpoints);
    }

    public VerifyRecord(String id, String state, List<String> tables, int chunkSize, Long maxDurationSeconds,
                        Instant createdAt, Instant finishedAt, List<TableVerdict> verdicts, List<String> notCompared,
                        String stopReason, String error, int attempts) {
        this(id, state, tables, chunkSize, maxDurationSeconds, createdAt, finishedAt, verdicts, notCompared, stopReason,
                error, attempts, List.of());
    }
}
