package io.greenlight.verify;

import java.time.Duration;

/**
 * How a verification runs: rows per chunk, tables compared in parallel, mismatched rows shown
 * per kind and table, mismatched rows re-checked per table, and how long a re-check waits for
 * the target to catch up.
 */
public record VerifyOptions(int chunkSize, int parallelism, int sampleSize, int recheckLimit, Duration catchUpTimeout) {

    public static final VerifyOptions DEFAULTS = new VerifyOptions(10_000, 2, 20, 10_000, Duration.ofSeconds(60));

    public VerifyOptions withChunkSize(int rows) {
        return new VerifyOptions(rows, parallelism, sampleSize, recheckLimit, catchUpTimeout);
    }
}
