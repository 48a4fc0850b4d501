package io.greenlight.cutover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything about one cutover, persisted in the target after every transition so that a
 * restart neither loses nor repeats it. Fence details are kept so the fence can be lifted by
 * whoever finds the record after a crash.
 */
public record CutoverRecord(String id, CutoverState state, CutoverOptions options, List<Transition> transitions,
                            String reason, String fenceLsn, Map<String, Long> drainTarget, List<String> fenceUndo,
                            Instant fencedAt, Instant switchedAt, Double writeBlockedSeconds, String verification,
                            List<String> sequences, List<String> actions) {

    public static CutoverRecord armed(String id, CutoverOptions options) {
        Instant now = Instant.now();
        return new CutoverRecord(id, CutoverState.ARMED, options, List.of(new Transition(CutoverState.ARMED, now, null)),
                null, null, Map.of(), List.of(), null, null, null, null, List.of(), List.of());
    }

    public CutoverRecord to(CutoverState next, String note) {
        List<Transition> history = new ArrayList<>(transitions);
        history.add(new Transition(next, Instant.now(), note));
        return new CutoverRecord(id, next, options, List.copyOf(history), next == CutoverState.FAILED || next == CutoverState.ABORTED ? note : reason,
                fenceLsn, drainTarget, fenceUndo, fencedAt, switchedAt, writeBlockedSeconds, verification, sequences, actions);
    }

    public CutoverRecord fenced(List<String> undo) {
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, List.copyOf(undo),
                Instant.now(), switchedAt, writeBlockedSeconds, verification, sequences, actions);
    }

    public CutoverRecord drained(String lsn, Map<String, Long> target) {
        return new CutoverRecord(id, state, options, transitions, reason, lsn, Map.copyOf(target), fenceUndo,
                fencedAt, switchedAt, writeBlockedSeconds, verification, sequences, actions);
    }

    public CutoverRecord withSequences(List<String> synced) {
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, switchedAt, writeBlockedSeconds, verification, List.copyOf(synced), actions);
    }

    public CutoverRecord withVerification(String summary) {
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, switchedAt, writeBlockedSeconds, summary, sequences, actions);
    }

    public CutoverRecord switched(List<String> done) {
        Instant now = Instant.now();
        Double blocked = fencedAt == null ? null : Duration.between(fencedAt, now).toNanos() / 1e9;
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, now, blocked, verification, sequences, List.copyOf(done));
    }

    /** Seconds writes have been blocked: fence to switch, or fence to now while still fenced. */
    public double writeBlockedSecondsNow() {
        if (writeBlockedSeconds != null) {
            return writeBlockedSeconds;
        }
        if (fencedAt == null) {
            return 0;
        }
        return state.fenced() ? Duration.between(fencedAt, Instant.now()).toNanos() / 1e9 : 0;
    }
}
