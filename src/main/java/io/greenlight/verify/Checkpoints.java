package io.greenlight.verify;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Progress inside tables across attempts of one verification: where each table continues (from an
 * earlier attempt) and where to report that a table got further: at most once per {@code every}
 * while it runs, and once more when it stops part way.
 */
public record Checkpoints(Map<String, TableCheckpoint> start, Consumer<TableCheckpoint> onAdvance, Duration every) {

    public static final Checkpoints NONE = new Checkpoints(Map.of(), c -> { }, Duration.ofDays(1));

    public Checkpoints {
        start = Map.copyOf(start);
    }

    public Checkpoints(Map<String, TableCheckpoint> start, Consumer<TableCheckpoint> onAdvance) {
        this(start, onAdvance, Duration.ofSeconds(1));
    }

    Optional<TableCheckpoint> startOf(String table) {
        return Optional.ofNullable(start.get(table));
    }
}
