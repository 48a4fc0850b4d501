package io.greenlight.verify;

import java.time.Duration;
import java.util.Optional;

/**
 * How a verification runs: rows per chunk, tables compared in parallel, mismatched rows shown
 * per kind and table, mismatched rows re-checked per table, how long a re-check waits for the
 * target to catch up, how long the whole verification may take (null: no bound), and key ranges
 * of one table compared in parallel.
 */
public record VerifyOptions(int chunkSize, int parallelism, int sampleSize, int recheckLimit, Duration catchUpTimeout,
                            Duration maxDuration, int rangeParallelism) {

    public static final VerifyOptions DEFAULTS = new VerifyOptions(10_000, 2, 20, 10_000, Duration.ofSeconds(60), null, 2);

    public VerifyOptions(int chunkSize, int parallelism, int sampleSize, int recheckLimit, Duration catchUpTimeout) {
        this(chunkSize, parallelism, sampleSize, recheckLimit, catchUpTimeout, null, 2);
    }

    public VerifyOptions withChunkSize(int rows) {
        return new VerifyOptions(rows, parallelism, sampleSize, recheckLimit, catchUpTimeout, maxDuration, rangeParallelism);
    }

    public VerifyOptions withMaxDuration(Duration bound) {
        return new VerifyOptions(chunkSize, parallelism, sampleSize, recheckLimit, catchUpTimeout, bound, rangeParallelism);
    }

    public VerifyOptions withRangeParallelism(int ranges) {
        return new VerifyOptions(chunkSize, parallelism, sampleSize, recheckLimit, catchUpTimeout, maxDuration, ranges);
    }

    public Optional<Duration> bound() {
        return Optional.ofNullable(maxDuration).filter(d -> !d.isZero() && !d.isNegative());
    }
}
