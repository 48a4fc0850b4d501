package io.greenlight.verify;

import java.time.Duration;

/** Waits until the target has applied every source change committed up to a (local clock) time. */
@FunctionalInterface
public interface CatchUp {

    /** Nothing replicates (a standalone comparison): there is nothing to wait for. */
    CatchUp NONE = (epochMs, timeout) -> true;

    /** True when the target caught up within the timeout. */
    boolean await(long epochMs, Duration timeout) throws InterruptedException;
}
