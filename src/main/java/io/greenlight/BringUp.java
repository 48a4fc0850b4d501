package io.greenlight;

import io.agroal.api.AgroalDataSource;
import io.greenlight.apply.OffsetStore;
import io.greenlight.apply.PoisonPolicy;
import io.greenlight.apply.TablePauses;
import io.greenlight.backfill.Backfill;
import io.greenlight.backfill.Recopy;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.kafka.KafkaRuntime;
import io.greenlight.kafka.TopicNames;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.leader.LeaderElection;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One bring-up of the data path, on its own thread: the checks ({@link BringUpChecks}), the
 * backfill's copy while the Kafka side comes up, then apply. Each step that starts something runs
 * under the lifecycle's lock and only while this bring-up is current: one a stop or a newer start
 * overtook starts nothing. A failure ends in phase FAILED with the cause.
 */
final class BringUp implements Runnable {

    private static final Logger LOG = Logger.getLogger(BringUp.class);

    /** The lifecycle that owns the bring-up: its lock, and what the bring-up hands it. */
    interface Owner {
        /** Runs {@code step} under the lifecycle's lock unless bring-up {@code generation} was overtaken; whether it ran. */
        boolean ifCurrent(long generation, Runnable step);

        /** What the checks found (also when the start is then refused). */
        void planned(BringUpPlan plan);

        /** The backfill this bring-up runs; a stop ends its copy. Called under the lock. */
        void copying(Backfill fill);

        /** Whether the backfill still copies (the phase stays SNAPSHOT while it does). */
        void backfilling(boolean copying);

        /** Starts the parts of the run. Called under the lock. */
        RunningPipeline startParts(Map<TableId, SourceTable> tables, List<TopicPartition> partitions, OffsetStore offsets);

        /** The parts {@link #startParts} started. */
        RunningPipeline running();
    }

    private final long generation;
    private final Owner owner;
    private final GreenlightConfig config;
    private final PipelineState state;
    private final PipelineMeters meters;
    private final TopicNames topics;
    private final TablePauses pauses;
    private final LeaderElection election;
    private final KafkaRuntime kafka;
    private final Endpoints ends;
    private final BringUpChecks checks;
    private final PipelineAssembler.Failures failures;
    private final Runnable started;

    BringUp(long generation, Owner owner, GreenlightConfig config, PipelineState state, PipelineMeters meters, TopicNames topics,
            TablePauses pauses, LeaderElection election, KafkaRuntime kafka, Endpoints ends, BringUpChecks checks,
            PipelineAssembler.Failures failures, Runnable started) {
        this.generation = generation;
        this.owner = owner;
        this.config = config;
        this.state = state;
        this.meters = meters;
        this.topics = topics;
        this.pauses = pauses;
        this.election = election;
        this.kafka = kafka;
        this.ends = ends;
        this.checks = checks;
        this.failures = failures;
        this.started = started;
    }

    @Override
    public void run() {
        Backfill fill = null;
        CompletableFuture<Void> kafkaSide = null;
        try {
            boolean embedded = kafka.embedded();
            // The embedded broker takes seconds to start; the source and target checks and a
            // backfill's copy do not need it, so it starts alongside them.
            CompletableFuture<String> kafkaUp = kafka.up();
            GreenlightConfig.Source src = config.source();
            GreenlightConfig.Target tgt = config.target();
            ends.open();
            AgroalDataSource source = ends.source();
            AgroalDataSource target = ends.target();
            LossyPolicy lossy = LossyPolicy.of(config.types().lossyAccept().orElse(List.of()));
            Dialect dialect = ends.readDialect(lossy);

            BringUpPlan planned = checks.plan(dialect, lossy);
            owner.planned(planned);
            Map<TableId, SourceTable> tables = planned.tables();
            LOG.infof("Capturing %d table(s): %s", tables.size(), tables.keySet());
            LOG.info(planned.report().describe());
            Optional<String> refusal = planned.refusal();
            if (refusal.isPresent()) {
                throw new IllegalStateException(refusal.get());
            }
            Map<TableId, String> lossHeld = planned.lossHeld();
            lossHeld.values().forEach(LOG::error);
            StartPositions positions = checks.positions(planned, kafkaUp);
            if (kafkaUp.isCompletedExceptionally()) {
                kafkaUp.get(); // a broker that cannot start fails the start before a slot is created
            }
            // Snapshot mode backfill copies every unfinished table; other modes only those a recopy was asked for.
            boolean backfillMode = "backfill".equals(src.snapshotMode());
            Map<TableId, SourceTable> toCopy = planned.toCopy(backfillMode,
                    backfillMode ? Map.of() : Recopy.pending(target, dialect, tables));
            if (backfillMode || !toCopy.isEmpty()) {
                // stop-pipeline stops at a refused row as apply does; otherwise the row's table pauses
                boolean stop = PoisonPolicy.Mode.of(config.apply().onError()) == PoisonPolicy.Mode.STOP_PIPELINE;
                fill = new Backfill(config.backfill(), src, tgt, source, target, dialect, toCopy, meters,
                        stop ? null : pauses::pauseCopy);
                fill.fencedBy(election.targetFence(target, dialect));
                Backfill copy = fill;
                if (!owner.ifCurrent(generation, () -> owner.copying(copy))) {
                    return;
                }
                fill.prepare(positions.resumed());
                owner.backfilling(fill.hasWork());
            }
            // Topics and components as soon as Kafka is up; capture streams into Kafka while the backfill copies.
            Backfill copying = fill;
            kafkaSide = kafkaUp.thenAcceptAsync(servers -> {
                try {
                    startKafkaSide(servers, planned, positions, copying);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, runnable -> new Thread(runnable, "greenlight-start-kafka").start());
            kafkaSide.whenComplete((ignored, failure) -> {
                if (failure != null && copying != null) {
                    copying.close(); // without Kafka nothing can stream: end the copy now rather than at its end
                }
            });
            if (fill != null) {
                state.phase(PipelineState.Phase.SNAPSHOT);
                fill.run(); // apply starts on the complete copy
                owner.backfilling(false);
            }
            kafkaSide.get();
            Backfill copied = fill;
            boolean current = owner.ifCurrent(generation, () -> {
                // Tables the backfill paused (their copy is incomplete) and tables whose loss is not accepted:
                // apply holds them until a resume or restart copies them. Again: starting the components reset the pauses.
                Map<TableId, String> incomplete = new TreeMap<>(lossHeld);
                if (copied != null) {
                    incomplete.putAll(copied.paused());
                }
                if (!incomplete.isEmpty()) {
                    Map<TableId, String> held = new HashMap<>();
                    incomplete.forEach((table, error) -> {
                        pauses.pauseCopy(table, error);
                        held.put(table, topics.table(table));
                    });
                    owner.running().apply().holdFromStart(held);
                }
                owner.running().startApply();
            });
            if (!current) {
                return;
            }
            LOG.infof("Pipeline started: source → Kafka %s%s → %s target", kafka.bootstrapServers().orElse(null),
                    embedded ? " (embedded)" : "", dialect.name());
            started.run();
        } catch (Exception e) {
            // A copy ended because Kafka could not be set up reports Kafka's failure, not its own.
            Throwable cause = kafkaSide != null && kafkaSide.isCompletedExceptionally() ? failureOf(kafkaSide)
                    : e instanceof ExecutionException ? e.getCause() : e;
            if (StaleLeaderException.in(cause)) {
                election.refused(cause);
            }
            if (!(cause instanceof InterruptedException)) {
                failures.failed("startup", cause, "Fix the cause named above and restart Greenlight.");
            }
        }
    }

    private static Throwable failureOf(CompletableFuture<?> failed) {
        try {
            failed.join();
            throw new IllegalStateException("not failed");
        } catch (CompletionException | CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    /** Creates the embedded broker's topics, then starts capture (and builds apply) unless a stop overtook this bring-up. */
    private void startKafkaSide(String servers, BringUpPlan planned, StartPositions positions,
                                Backfill copying) throws Exception {
        List<TopicPartition> partitions = positions.partitions().orElse(null);
        if (partitions == null) {
            kafka.connect(servers);
            partitions = kafka.createTopics(planned.tables().keySet());
        }
        List<TopicPartition> created = partitions;
        // Stopped (or started again) while this bring-up was preparing: two apply loops must never run.
        owner.ifCurrent(generation, () -> {
            RunningPipeline run = owner.startParts(planned.tables(), created, positions.offsets());
            if (copying != null) {
                run.apply().skipping(copying.alreadyCopied());
            }
        });
    }
}
