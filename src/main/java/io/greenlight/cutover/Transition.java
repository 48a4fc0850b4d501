package io.greenlight.cutover;

import java.time.Instant;

/** One step of a cutover's history. */
public record Transition(CutoverState state, Instant at, String note) {
}
