package io.greenlight.cutover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything about one cutover, persisted after every transition on the source (what lifting the
 * fence needs, readable while the target is down) and in the target (the history), so that a
 * restart neither loses nor repeats it.
 *
 * @param fenceUp     the fence may be up: set before it goes up, cleared once {@code fenceUndo} ran
 * @param switchRuns  each switch action with its before-state, persisted before it runs
 */
public record CutoverRecord(String id, CutoverState state, CutoverOptions options, List<Transition> transitions,
                            String reason, String fenceLsn, Map<String, Long> drainTarget, List<String> fenceUndo,
                            Instant fencedAt, Instant switchedAt, Double writeBlockedSeconds, String verification,
                            List<String> sequences, List<String> actions, boolean fenceUp, List<SwitchRun> switchRuns,
                            Rollback rollback) {

    /**
     * The way back (POST /rollback): the new primary's fence and how to lift it, the write-blocked
     * window (new primary fenced to source fence lifted), the reverse drain's marker and the
     * sequences set back on the source.
     */
    public record Rollback(List<String> primaryFenceUndo, boolean primaryFenceUp, Instant fencedAt, Double writeBlockedSeconds,
                           String marker, List<String> sequences) {

        public Rollback {
            primaryFenceUndo = primaryFenceUndo == null ? List.of() : List.copyOf(primaryFenceUndo);
            sequences = sequences == null ? List.of() : List.copyOf(sequences);
        }
    }

    public CutoverRecord {
        transitions = transitions == null ? List.of() : transitions;
        drainTarget = drainTarget == null ? Map.of() : drainTarget;
        fenceUndo = fenceUndo == null ? List.of() : fenceUndo;
        sequences = sequences == null ? List.of() : sequences;
        actions = actions == null ? List.of() : actions;
        switchRuns = switchRuns == null ? List.of() : switchRuns;
    }

    public static CutoverRecord armed(String id, CutoverOptions options) {
        Instant now = Instant.now();
        return new CutoverRecord(id, CutoverState.ARMED, options, List.of(new Transition(CutoverState.ARMED, now, null)),
                null, null, Map.of(), List.of(), null, null, null, null, List.of(), List.of(), false, List.of(), null);
    }

    /** The record moved to {@code next}; refused (and nothing changes) unless {@link CutoverState#next()} allows it. */
    public CutoverRecord to(CutoverState next, String note) {
        if (!state.next().contains(next)) {
            throw new IllegalStateException("Cutover " + id + " cannot go from " + state + " to " + next + " (" + note + "): "
                    + (state.next().isEmpty() ? state + " is final" : "from " + state + " it goes to " + state.next() + " only")
                    + ". The record is unchanged.");
        }
        List<Transition> history = new ArrayList<>(transitions);
        history.add(new Transition(next, Instant.now(), note));
        return new CutoverRecord(id, next, options, List.copyOf(history), next == CutoverState.FAILED || next == CutoverState.ABORTED ? note : reason,
                fenceLsn, drainTarget, fenceUndo, fencedAt, switchedAt, writeBlockedSeconds, verification, sequences, actions,
                fenceUp, switchRuns, rollback);
    }

    /** The fence is about to go up: {@code undo} lifts it. */
    public CutoverRecord fenced(List<String> undo) {
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, List.copyOf(undo),
                Instant.now(), switchedAt, writeBlockedSeconds, verification, sequences, actions, true, switchRuns, rollback);
    }

    /** The undo statements ran: the source takes writes again. */
    public CutoverRecord lifted() {
        Double blocked = fencedAt == null || writeBlockedSeconds != null ? writeBlockedSeconds
                : Duration.between(fencedAt, Instant.now()).toNanos() / 1e9;
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, switchedAt, blocked, verification, sequences, actions, false, switchRuns, rollback);
    }

    public CutoverRecord drained(String lsn, Map<String, Long> target) {
        return new CutoverRecord(id, state, options, transitions, reason, lsn, Map.copyOf(target), fenceUndo,
                fencedAt, switchedAt, writeBlockedSeconds, verification, sequences, actions, fenceUp, switchRuns, rollback);
    }

    public CutoverRecord withSequences(List<String> synced) {
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, switchedAt, writeBlockedSeconds, verification, List.copyOf(synced), actions, fenceUp, switchRuns, rollback);
    }

    public CutoverRecord withVerification(String summary) {
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, switchedAt, writeBlockedSeconds, summary, sequences, actions, fenceUp, switchRuns, rollback);
    }

    /** Records (or replaces, by action name) one switch action's progress. */
    public CutoverRecord withRun(SwitchRun run) {
        List<SwitchRun> runs = new ArrayList<>(switchRuns.stream().filter(r -> !r.action().equals(run.action())).toList());
        runs.add(run);
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, switchedAt, writeBlockedSeconds, verification, sequences, actions, fenceUp, List.copyOf(runs), rollback);
    }

    public CutoverRecord switched(List<String> done) {
        Instant now = Instant.now();
        Double blocked = fencedAt == null ? null : Duration.between(fencedAt, now).toNanos() / 1e9;
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, now, blocked, verification, sequences, List.copyOf(done), fenceUp, switchRuns, rollback);
    }

    public CutoverRecord withRollback(Rollback next) {
        return new CutoverRecord(id, state, options, transitions, reason, fenceLsn, drainTarget, fenceUndo,
                fencedAt, switchedAt, writeBlockedSeconds, verification, sequences, actions, fenceUp, switchRuns, next);
    }

    /** Switch actions that took effect (or may have) and were not reverted: lifting the fence now would split the application. */
    public List<SwitchRun> unreverted() {
        return switchRuns.stream().filter(SwitchRun::mayHaveTakenEffect).toList();
    }

    /** What GET /cutover and the log show: the webhook URL without user-info or query string. */
    public CutoverRecord redacted() {
        return new CutoverRecord(id, state, options == null ? null : options.redacted(), transitions, reason, fenceLsn,
                drainTarget, fenceUndo, fencedAt, switchedAt, writeBlockedSeconds, verification, sequences, actions,
                fenceUp, switchRuns, rollback);
    }

    /** Seconds writes have been blocked: fence to switch, or fence to now while still fenced. */
    public double writeBlockedSecondsNow() {
        if (writeBlockedSeconds != null) {
            return writeBlockedSeconds;
        }
        if (fencedAt == null) {
            return 0;
        }
        return fenceUp ? Duration.between(fencedAt, Instant.now()).toNanos() / 1e9 : 0;
    }
}
