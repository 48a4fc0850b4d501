package io.greenlight;

import io.greenlight.config.GreenlightConfig;
import io.greenlight.controlplane.ControlPlane;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.kafka.KafkaRuntime;
import io.greenlight.kafka.TopicNames;
import io.greenlight.lag.LagTracker;
import io.greenlight.leader.LeaderElection;
import io.greenlight.leader.StaleLeaderException;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.function.Consumer;

/**
 * The bring-up of {@code greenlight.mode=control-plane}: the source's publication and the tables'
 * models as a pipeline's bring-up reads them (the slot stays Kafka Connect's), the target's leader
 * epoch, then the {@link ControlPlane} watching the pipeline that runs in Connect. Phase SNAPSHOT
 * until Connect's source connector finished its snapshot, then STREAMING.
 */
final class ControlPlaneStart implements Runnable {

    private static final Logger LOG = Logger.getLogger(ControlPlaneStart.class);

    private final long generation;
    private final BringUp.Owner owner;
    private final GreenlightConfig config;
    private final PipelineState state;
    private final TopicNames topics;
    private final LagTracker lag;
    private final LeaderElection election;
    private final KafkaRuntime kafka;
    private final Endpoints ends;
    private final BringUpChecks checks;
    private final Consumer<ControlPlane> started;
    private final PipelineAssembler.Failures failures;
    private final Runnable announce;

    ControlPlaneStart(long generation, BringUp.Owner owner, GreenlightConfig config, PipelineState state, TopicNames topics,
                      LagTracker lag, LeaderElection election, KafkaRuntime kafka, Endpoints ends, BringUpChecks checks,
                      Consumer<ControlPlane> started, PipelineAssembler.Failures failures, Runnable announce) {
        this.generation = generation;
        this.owner = owner;
        this.config = config;
        this.state = state;
        this.topics = topics;
        this.lag = lag;
        this.election = election;
        this.kafka = kafka;
        this.ends = ends;
        this.checks = checks;
        this.started = started;
        this.failures = failures;
        this.announce = announce;
    }

    @Override
    public void run() {
        try {
            ends.open();
            LossyPolicy lossy = LossyPolicy.of(config.types().lossyAccept().orElse(List.of()));
            Dialect dialect = ends.readDialect(lossy);
            BringUpPlan planned = checks.tables(dialect, lossy);
            owner.planned(planned);
            LOG.info(planned.report().describe());
            // The sink connector refuses what the target cannot hold with its own types.lossy-accept; here it is news.
            planned.refusal().ifPresent(refusal -> LOG.warnf("The sink connector will refuse this unless its "
                    + "types.lossy-accept accepts it: %s", refusal));
            topics.refuseCollisions(planned.tables().keySet());
            election.raiseTargetEpoch(ends.target(), dialect);
            kafka.connect(kafka.up().get());
            boolean current = owner.ifCurrent(generation, () -> {
                state.phase(PipelineState.Phase.SNAPSHOT);
                started.accept(ControlPlane.start(config, ends.source(), ends.target(), dialect, kafka.clients(), topics,
                        planned.tables().keySet(), lag, () -> state.advance(PipelineState.Phase.SNAPSHOT, PipelineState.Phase.STREAMING)));
            });
            if (current) {
                announce.run();
            }
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            if (StaleLeaderException.in(cause)) {
                election.refused(cause);
            }
            if (!(cause instanceof InterruptedException)) {
                failures.failed("startup", cause, "Fix the cause named above and restart Greenlight.");
            }
        }
    }
}
