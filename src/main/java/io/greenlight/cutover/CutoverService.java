package io.greenlight.cutover;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.greenlight.Pipeline;
import io.greenlight.PipelineStarted;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.lag.LagTracker;
import io.greenlight.verify.Verifier;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * Owns the one cutover: starts it (once), persists it, resumes or safely fails it after a
 * restart, and exposes its state as metrics.
 */
@Startup
@ApplicationScoped
public class CutoverService {

    private static final Logger LOG = Logger.getLogger(CutoverService.class);

    private final Pipeline pipeline;
    private final LagTracker lag;
    private final Verifier verifier;
    private final ObjectMapper json;
    private final Instance<KubernetesClient> kubernetes;
    private final GreenlightConfig config;
    private volatile CutoverStore store;
    private volatile CutoverStateMachine running;
    private volatile CutoverRecord last;
    private Thread thread;
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();

    public CutoverService(Pipeline pipeline, LagTracker lag, Verifier verifier, ObjectMapper json,
                          Instance<KubernetesClient> kubernetes, GreenlightConfig config, MeterRegistry registry) {
        this.pipeline = pipeline;
        this.lag = lag;
        this.verifier = verifier;
        this.json = json;
        this.kubernetes = kubernetes;
        this.config = config;
        this.registry = registry;
        for (CutoverState state : CutoverState.values()) {
            gauges.add(Gauge.builder("greenlight.cutover.state", this, s -> s.current().map(r -> r.state() == state ? 1 : 0).orElse(0))
                    .tag("state", state.name()).description("1 for the state the cutover is in").register(registry));
        }
        gauges.add(Gauge.builder("greenlight.cutover.write.blocked.seconds", this,
                        s -> s.current().map(CutoverRecord::writeBlockedSecondsNow).orElse(0.0))
                .description("Seconds source writes were (or are being) blocked: fence to switch").register(registry));
    }

    /** Gauges read this instance: remove them with it (a registry can outlive the application in tests). */
    @PreDestroy
    void removeGauges() {
        gauges.forEach(registry::remove);
    }

    /** After the pipeline is up: load the persisted cutover and resume or fail it safely. */
    void onPipelineStarted(@Observes PipelineStarted event) {
        CutoverStateMachine machine = running;
        if (machine != null && !machine.record().state().terminal()) {
            return; // the pipeline restarted in-process; the cutover thread carries on
        }
        try {
            CutoverStore s = new CutoverStore(pipeline.targetPool().orElseThrow(), dialect(), json);
            s.createTable();
            store = s;
            Optional<CutoverRecord> persisted = s.load();
            persisted.ifPresent(this::recover);
        } catch (SQLException e) {
            LOG.errorf("Cannot read the cutover record from the target: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    public Optional<CutoverRecord> current() {
        CutoverStateMachine machine = running;
        return machine != null ? Optional.of(machine.record()) : Optional.ofNullable(last);
    }

    /** Arms a cutover; 409 (CutoverConflictException) while one is active or after one completed. */
    public synchronized CutoverRecord start(CutoverOptions requested) {
        if (store == null) {
            throw new IllegalStateException("The pipeline is not running yet; a cutover needs it (see GET /status).");
        }
        Optional<CutoverRecord> existing = current();
        if (existing.isPresent() && (!existing.get().state().terminal() || existing.get().state() == CutoverState.COMPLETED)) {
            throw new CutoverConflictException(existing.get().state() == CutoverState.COMPLETED
                    ? "The cutover already completed; it fires once." : "A cutover is already in progress.", existing.get());
        }
        CutoverRecord record = CutoverRecord.armed(UUID.randomUUID().toString(),
                requested.withDefaults(config.cutover().maxLagSeconds()));
        save(record);
        LOG.infof("Cutover %s ARMED with %s", record.id(), record.options());
        launch(record);
        return record;
    }

    /** DELETE /cutover: only before the fence. */
    public synchronized CutoverRecord abort() {
        CutoverStateMachine machine = running;
        CutoverRecord record = current().orElseThrow(() -> new CutoverConflictException("There is no cutover to abort.", null));
        if (machine == null || !machine.requestAbort()) {
            throw new CutoverConflictException("The cutover is " + record.state()
                    + "; it can only be aborted before the fence (ARMED, WAITING_FOR_LAG).", record);
        }
        awaitTerminal(machine);
        return machine.record();
    }

    /** DELETE /cutover/postpone: let a postponed cutover switch. */
    public CutoverRecord releasePostpone() {
        CutoverStateMachine machine = running;
        if (machine == null || machine.record().state().terminal()) {
            throw new CutoverConflictException("There is no cutover in progress.", current().orElse(null));
        }
        machine.releasePostpone();
        return machine.record();
    }

    private void recover(CutoverRecord record) {
        CutoverState state = record.state();
        if (state.terminal()) {
            last = record;
        } else if (state == CutoverState.ARMED || state == CutoverState.WAITING_FOR_LAG) {
            LOG.infof("Cutover %s was %s when Greenlight stopped; waiting for lag again", record.id(), state);
            launch(record);
        } else {
            String reason = "Greenlight restarted during " + state
                    + (state == CutoverState.SWITCHING ? "; switch actions may have run partly, check them before retrying" : "; nothing was switched")
                    + CutoverStateMachine.liftFence(record, pipeline.sourcePool());
            CutoverRecord failed = record.to(CutoverState.FAILED, reason);
            LOG.errorf("Cutover %s FAILED: %s", record.id(), reason);
            save(failed);
            last = failed;
        }
    }

    private void launch(CutoverRecord record) {
        CutoverStateMachine machine = new CutoverStateMachine(record, pipeline, lag, dialect(), verifier,
                new SwitchActions(json, kubernetes::get), this::save);
        running = machine;
        thread = new Thread(() -> {
            machine.run();
            last = machine.record();
        }, "greenlight-cutover");
        thread.start();
    }

    private void save(CutoverRecord record) {
        try {
            store.save(record);
        } catch (SQLException e) {
            // Without a persisted record a restart could not tell what happened: stop here.
            throw new IllegalStateException("Cannot persist the cutover record to the target: " + e.getMessage(), e);
        }
    }

    private Dialect dialect() {
        return pipeline.dialect().orElseThrow(() -> new IllegalStateException("The pipeline has not reached the target yet"));
    }

    private static void awaitTerminal(CutoverStateMachine machine) {
        for (int i = 0; i < 100 && !machine.record().state().terminal(); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
