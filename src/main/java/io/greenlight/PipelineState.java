package io.greenlight;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Optional;

/** What the pipeline is doing, and why it stopped if it did. Read by /status and health. */
@ApplicationScoped
public class PipelineState {

    public enum Phase { STARTING, SNAPSHOT, STREAMING, STOPPED, FAILED }

    /** The component that failed, the reason, and what to do about it. */
    public record Failure(String component, String reason, String action, Instant at) {
    }

    private volatile Phase phase = Phase.STARTING;
    private volatile Failure failure;

    public Phase phase() {
        return phase;
    }

    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    void phase(Phase next) {
        if (phase != Phase.FAILED) {
            phase = next;
        }
    }

    /** Moves from {@code from} to {@code to}, unless the phase changed meanwhile (e.g. FAILED). */
    synchronized void advance(Phase from, Phase to) {
        if (phase == from) {
            phase = to;
        }
    }

    /** An explicit (re)start clears the last failure: the new attempt reports its own. */
    synchronized void restarting() {
        failure = null;
        phase = Phase.STARTING;
    }

    /** The first failure wins: later ones are usually consequences of it. */
    public synchronized boolean fail(String component, String reason, String action) {
        if (failure != null) {
            return false;
        }
        failure = new Failure(component, reason, action, Instant.now());
        phase = Phase.FAILED;
        return true;
    }
}
