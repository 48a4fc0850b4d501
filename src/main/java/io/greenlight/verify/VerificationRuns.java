package io.greenlight.verify;

import io.greenlight.schema.SourceTable;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Verifications started over HTTP: one at a time, in the background, kept for GET /verify/{id}. */
@ApplicationScoped
public class VerificationRuns {

    private static final Logger LOG = Logger.getLogger(VerificationRuns.class);
    private static final int KEPT = 50;

    public enum State { PENDING, RUNNING, PASSED, FAILED, ERROR }

    /** One verification; fields change while it runs. */
    public static final class Run {
        private final String id = UUID.randomUUID().toString();
        private final List<String> tables;
        private final VerifyOptions options;
        private final VerifyProgress progress = new VerifyProgress();
        private final Instant createdAt = Instant.now();
        private volatile State state = State.PENDING;
        private volatile Instant finishedAt;
        private volatile VerificationResult result;
        private volatile String error;

        Run(List<String> tables, VerifyOptions options) {
            this.tables = List.copyOf(tables);
            this.options = options;
        }

        public String id() { return id; }
        public List<String> tables() { return tables; }
        public VerifyOptions options() { return options; }
        public VerifyProgress progress() { return progress; }
        public Instant createdAt() { return createdAt; }
        public State state() { return state; }
        public Optional<Instant> finishedAt() { return Optional.ofNullable(finishedAt); }
        public Optional<VerificationResult> result() { return Optional.ofNullable(result); }
        public Optional<String> error() { return Optional.ofNullable(error); }

        boolean active() {
            return state == State.PENDING || state == State.RUNNING;
        }
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

    private final Verifier verifier;
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
        if (current != null && current.active()) {
            throw new AlreadyRunning(current.id);
        }
        Run run = new Run(tables.stream().map(t -> t.id().toString()).toList(), options);
        forgetOldRuns();
        runs.put(run.id, run);
        current = run;
        executor.submit(() -> execute(run, source, target, tables));
        return run;
    }

    public Optional<Run> get(String id) {
        return Optional.ofNullable(runs.get(id));
    }

    private void execute(Run run, DataSource source, DataSource target, List<SourceTable> tables) {
        run.state = State.RUNNING;
        try {
            VerificationResult result = verifier.verify(source, target, tables, run.options, run.progress);
            run.result = result;
            run.state = result.matches() ? State.PASSED : State.FAILED;
        } catch (Exception e) {
            LOG.errorf(e, "Verification %s failed", run.id);
            run.error = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
            run.state = State.ERROR;
        } finally {
            run.finishedAt = Instant.now();
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
