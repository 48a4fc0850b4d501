package io.greenlight.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Optional;

/**
 * Where a streamed change sits in the source's commit-ordered stream: (commit LSN of the
 * previous transaction, the change's own LSN), Debezium's "sequence", and a rank that orders the
 * two events of one primary-key update (delete of the old key = 0, then the new row = 1) which
 * share one LSN. Ordering by it follows the stream, so a change at or below a partition's
 * watermark is a replay after a capture restart.
 */
public record SourcePosition(long lastCommitLsn, long lsn, int rank) implements Comparable<SourcePosition> {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses Debezium's {@code ["<lastCommitLsn>","<lsn>"]}; empty when absent or incomplete. */
    public static Optional<SourcePosition> parse(String sequence, int rank) {
        if (sequence == null || sequence.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode array = JSON.readTree(sequence);
            if (!array.isArray() || array.size() != 2 || array.get(1).isNull()) {
                return Optional.empty();
            }
            long commit = array.get(0).isNull() ? 0 : Long.parseLong(array.get(0).asText());
            return Optional.of(new SourcePosition(commit, Long.parseLong(array.get(1).asText()), rank));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Override
    public int compareTo(SourcePosition other) {
        int byCommit = Long.compareUnsigned(lastCommitLsn, other.lastCommitLsn);
        if (byCommit != 0) {
            return byCommit;
        }
        int byLsn = Long.compareUnsigned(lsn, other.lsn);
        return byLsn != 0 ? byLsn : Integer.compare(rank, other.rank);
    }

    /** A streamed change at or below its partition's watermark was applied already (capture re-published it). */
    public static boolean replayed(SourcePosition position, SourcePosition watermark) {
        return position != null && watermark != null && position.compareTo(watermark) <= 0;
    }
}
