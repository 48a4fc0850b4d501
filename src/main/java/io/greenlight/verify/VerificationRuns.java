package io.greenlight.verify;

import io.greenlight.schema.SourceTable;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Verifications started over HTTP: one at a time, in the background, kept for GET /verify/{id} in
 * memory and on the source ({@link VerifyStore}): after a restart a verification still answers, and
 * one that was stopped (time bound, restart) continues with the tables it had not finished.
 */
@ApplicationScoped
public class VerificationRuns {

    private static final Logger LOG = Logger.getLogger(VerificationRuns.class);
    private static final int KEPT = 50;

    /**
     * TIMED_OUT: stopped at {@code maxDuration}; INTERRUPTED: the service stopped while it ran. Both
     * keep the finished tables' verdicts and continue with {@code POST /verify {"resume": id}}.
     */
    public enum State {
        PENDING, RUNNING, PASSED, FAILED, ERROR, TIMED_OUT, INTERRUPTED;

        public boolean resumable() {
            return this == TIMED_OUT || this == INTERRUPTED;
        }
    }

    /** One verification; fields change while it runs. */
    public static final class Run {
        private final String id;
        private final List<String> tables;
        private final VerifyOptions options;
        private final Instant createdAt;
        /** Finished tables' verdicts, across attempts. */
        private final List<TableVerdict> verdicts = new CopyOnWriteArrayList<>();
        /** How far the tables without a verdict got (compared by key ranges): they continue after that key. */
        private final Map<String, TableCheckpoint> checkpoints = new ConcurrentHashMap<>();
        private volatile VerifyProgress progress = new VerifyProgress();
        private volatile State state = State.PENDING;
        private volatile Instant finishedAt;
        private volatile List<String> notCompared = List.of();
        private volatile String stopReason;
        private volatile String error;
        private volatile int attempts = 1;

        Run(List<String> tables, VerifyOptions options) {
            this(UUID.randomUUID().toString(), tables, options, Instant.now());
        }

        private Run(String id, List<String> tables, VerifyOptions options, Instant createdAt) {
            this.id = id;
            this.tables = List.copyOf(tables);
            this.options = options;
            this.createdAt = createdAt;
            progress.tables(this.tables);
        }

        public String id() { return id; }
        public List<String> tables() { return tables; }
        public VerifyOptions options() { return options; }
        public VerifyProgress progress() { return progress; }
        public Instant createdAt() { return createdAt; }
        public State state() { return state; }
        public int attempts() { return attempts; }
        public Optional<Instant> finishedAt() { return Optional.ofNullable(finishedAt); }
        public Optional<String> error() { return Optional.ofNullable(error); }
        /** Why a resumable run stopped, and how to continue it. */
        public Optional<String> stopReason() { return Optional.ofNullable(stopReason); }

        /** The verdicts so far, in the order of {@link #tables}, and the tables not compared; empty while running. */
        public Optional<VerificationResult> result() {
            if (active() || state == State.ERROR) {
                return Optional.empty();
            }
            List<TableVerdict> ordered = new ArrayList<>();
            for (String table : tables) {
                verdicts.stream().filter(v -> v.table().equals(table)).findFirst().ifPresent(ordered::add);
            }
            return Optional.of(new VerificationResult(ordered, notCompared));
        }

        /** Tables without a verdict yet. */
        List<String> remaining() {
            return tables.stream().filter(t -> verdicts.stream().noneMatch(v -> v.table().equals(t))).toList();
        }

        boolean active() {
            return state == State.PENDING || state == State.RUNNING;
        }

        VerifyRecord record() {
            return new VerifyRecord(id, state.name(), tables, options.chunkSize(),
                    options.bound().map(Duration::toSeconds).orElse(null), createdAt, finishedAt, List.copyOf(verdicts),
                    notCompared, stopReason, error, attempts, List.copyOf(checkpoints.values()));
        }

        /** A run read back from the source after a restart: one that was running then was interrupted. */
        static Run restored(VerifyRecord r, VerifyOptions defaults) {
            VerifyOptions options = defaults.withChunkSize(r.chunkSize())
                    .withMaxDuration(r.maxDurationSeconds() == null ? null : Duration.ofSeconds(r.maxDurationSeconds()));
            Run run = new Run(r.id(), r.tables(), options, r.createdAt());
            run.verdicts.addAll(r.verdicts());
            r.checkpoints().forEach(c -> run.checkpoints.put(c.table(), c));
            run.attempts = r.attempts();
            run.error = r.error();
            State saved = State.valueOf(r.state());
            if (saved == State.PENDING || saved == State.RUNNING) {
                run.state = State.INTERRUPTED;
                run.notCompared = run.remaining();
                run.stopReason = "The service stopped while this verification ran; " + run.verdicts.size() + " of "
                        + run.tables.size() + " table(s) were compared. " + continueHint(run);
                run.finishedAt = r.finishedAt();
            } else {
                run.state = saved;
                run.notCompared = r.notCompared();
                run.stopReason = r.stopReason();
                run.finishedAt = r.finishedAt();
            }
            run.progress = new VerifyProgress();
            run.progress.tables(run.tables);
            run.verdicts.forEach(v -> run.progress.carriedOver(v.table(), Math.max(v.sourceRows(), v.targetRows())));
            run.notCompared.forEach(run.progress::notCompared);
            run.progress.finished();
            return run;
        }
    }

    private static String continueHint(Run run) {
        String inside = run.checkpoints.isEmpty() ? "" : "; " + String.join(", ", run.checkpoints.keySet().stream().sorted().toList())
                + " continue(s) after the last key compared";
        return "Continue it with POST /verify {\"resume\": \"" + run.id + "\"} (compares only "
                + String.join(", ", run.remaining()) + inside + "), or start a new one with a larger maxDurationSeconds.";
    }

    /** Thrown by {@link #start} while another verification runs. */
    public static final class AlreadyRunning extends Exception {
        private final String id;

        AlreadyRunning(String id) {
            super("Verification " + id + " is still running; follow it with GET /verify/" + id);
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** Thrown by {@link #resume} for a verification that cannot be continued (the message says why and what to do). */
    public static final class NotResumable extends Exception {
        NotResumable(String message) {
            super(message);
        }
    }

    private final Verifier verifier;
    private final VerifyStore store = new VerifyStore();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "greenlight-verify-run");
        t.setDaemon(true);
        return t;
    });
    private Run current;

    public VerificationRuns(Verifier verifier) {
        this.verifier = verifier;
    }

    public synchronized Run start(DataSource source, DataSource target, List<SourceTable> tables, VerifyOptions options)
            throws AlreadyRunning {
        ensureIdle();
        Run run = new Run(tables.stream().map(t -> t.id().toString()).toList(), options);
        forgetOldRuns();
        runs.put(run.id, run);
        current = run;
        save(source, run);
        executor.submit(() -> execute(run, source, target, tables));
        return run;
    }

    /**
     * Continues a TIMED_OUT or INTERRUPTED verification under the same id, comparing only the tables
     * it had not finished; {@code known} resolves their names. {@code maxDuration} (null: the run's
     * own) bounds this attempt.
     */
    public synchronized Run resume(DataSource source, DataSource target, String id, Map<String, SourceTable> known,
                                   VerifyOptions defaults, Duration maxDuration) throws AlreadyRunning, NotResumable, SQLException {
        ensureIdle();
        Run run = get(source, id, defaults).orElseThrow(() -> new NotResumable("No verification " + id
                + " in memory or on the source's " + VerifyStore.TABLE + "; start a new one with POST /verify."));
        if (!run.state.resumable()) {
            throw new NotResumable("Verification " + id + " is " + run.state + "; only TIMED_OUT or INTERRUPTED ones continue. "
                    + "Start a new one with POST /verify.");
        }
        List<SourceTable> rest = new ArrayList<>();
        for (String name : run.remaining()) {
            SourceTable table = known.get(name);
            if (table == null) {
                throw new NotResumable("Verification " + id + " still has to compare " + name + ", which Greenlight no longer "
                        + "replicates; start a new one with POST /verify.");
            }
            rest.add(table);
        }
        Run next = new Run(run.id, run.tables, maxDuration == null ? run.options : run.options.withMaxDuration(maxDuration),
                run.createdAt);
        next.verdicts.addAll(run.verdicts);
        next.checkpoints.putAll(run.checkpoints);
        next.attempts = run.attempts + 1;
        next.verdicts.forEach(v -> next.progress.carriedOver(v.table(), Math.max(v.sourceRows(), v.targetRows())));
        runs.put(next.id, next);
        current = next;
        save(source, next);
        executor.submit(() -> execute(next, source, target, rest));
        return next;
    }

    private void ensureIdle() throws AlreadyRunning {
        if (current != null && current.active()) {
            throw new AlreadyRunning(current.id);
        }
    }

    public Optional<Run> get(String id) {
        return Optional.ofNullable(runs.get(id));
    }

    /** From memory, else from the source (a verification of an earlier process). */
    public Optional<Run> get(DataSource source, String id, VerifyOptions defaults) throws SQLException {
        Run run = runs.get(id);
        if (run != null || source == null) {
            return Optional.ofNullable(run);
        }
        return store.load(source, id).map(r -> Run.restored(r, defaults));
    }

    private void execute(Run run, DataSource source, DataSource target, List<SourceTable> tables) {
        run.state = State.RUNNING;
        save(source, run);
        try {
            Checkpoints checkpoints = new Checkpoints(Map.copyOf(run.checkpoints), checkpoint -> {
                run.checkpoints.put(checkpoint.table(), checkpoint);
                save(source, run);
            });
            VerificationResult result = verifier.verify(source, target, tables, run.options, run.progress, verdict -> {
                run.checkpoints.remove(verdict.table());
                run.verdicts.add(verdict);
                save(source, run);
            }, checkpoints);
            run.notCompared = result.notCompared();
            if (!result.complete()) {
                run.stopReason = "Stopped after maxDurationSeconds=" + run.options.bound().map(Duration::toSeconds).orElse(0L)
                        + ": " + run.verdicts.size() + " of " + run.tables.size() + " table(s) compared; not compared: "
                        + String.join(", ", result.notCompared()) + ". " + continueHint(run);
                run.state = State.TIMED_OUT;
            } else {
                run.state = run.verdicts.stream().allMatch(TableVerdict::matches) ? State.PASSED : State.FAILED;
                if (run.attempts > 1) { // the gauge counted this attempt's tables only
                    verifier.mismatchedRows(run.verdicts.stream().mapToLong(TableVerdict::mismatchedRows).sum());
                }
            }
        } catch (Exception e) {
            LOG.errorf(e, "Verification %s failed", run.id);
            run.error = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
            run.state = State.ERROR;
        } finally {
            run.finishedAt = Instant.now();
            save(source, run);
        }
    }

    private void save(DataSource source, Run run) {
        synchronized (run) { // tables finish on several threads: the last save holds every verdict
            saveNow(source, run);
        }
    }

    private void saveNow(DataSource source, Run run) {
        try {
            store.save(source, run.record());
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Verification %s: could not record its progress in the source's %s (%s); it runs on, but a restart "
                    + "would lose it and it cannot be continued after one.", run.id, VerifyStore.TABLE, e.getMessage());
        }
    }

    private void forgetOldRuns() {
        if (runs.size() >= KEPT) {
            runs.values().stream().filter(r -> !r.active()).min(java.util.Comparator.comparing(Run::createdAt))
                    .ifPresent(r -> runs.remove(r.id));
        }
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
