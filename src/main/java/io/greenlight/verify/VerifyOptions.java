package io.greenlight.verify;

import java.time.Duration;
import java.util.Optional;

/**
 * How a verification runs: rows per chunk, tables compared in parallel, mismatched rows shown
 * per kind and table, mismatched rows re-checked per table, how long a re-check waits for the
 * target to catch up, and how long the whole verification may take (null: no bound).
 */
public record VerifyOptions(int chunkSize, int parallelism, int sampleSize, int recheckLimit, Duration catchUpTimeout,
                            Duration maxDuration) {

    public static final VerifyOptions DEFAULTS = new VerifyOptions(10_000, 2, 20, 10_000, Duration.ofSeconds(60), null);

    public VerifyOptions(int chunkSize, int parallelism, int sampleSize, int recheckLimit, Duration catchUpTimeout) {
        this(chunkSize, parallelism, sampleSize, recheckLimit, catchUpTimeout, null);
    }

    public VerifyOptions withChunkSize(int rows) {
        return new VerifyOptions(rows, parallelism, sampleSize, recheckLimit, catchUpTimeout, maxDuration);
    }

    public VerifyOptions withMaxDuration(Duration bound) {
        return new VerifyOptions(chunkSize, parallelism, sampleSize, recheckLimit, catchUpTimeout, bound);
    }

    public Optional<Duration> bound() {
        return Optional.ofNullable(maxDuration).filter(d -> !d.isZero() && !d.isNegative());
    }
}
