package io.greenlight.api;

import io.greenlight.leader.LeaderElection;

import io.greenlight.PipelineState;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Liveness: DOWN once the pipeline FAILED, so Kubernetes restarts the pod and the log says why.
 * Readiness: on the leader, source, Kafka and target reachable and both capture and apply
 * running; on a standby, that it reached the source and waits to take over (role in the data).
 */
public final class PipelineHealth {

    private PipelineHealth() {
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        private final PipelineState state;

        public Live(PipelineState state) {
            this.state = state;
        }

        @Override
        public HealthCheckResponse call() {
            var builder = HealthCheckResponse.named("pipeline").withData("phase", state.phase().name());
            state.failure().ifPresent(f -> builder.withData("failure", f.component() + ": " + f.reason()));
            return builder.status(state.phase() != PipelineState.Phase.FAILED).build();
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final PipelineStatus pipeline;
        private final LeaderElection election;

        public Ready(PipelineStatus pipeline, LeaderElection election) {
            this.pipeline = pipeline;
            this.election = election;
        }

        @Override
        public HealthCheckResponse call() {
            LeaderElection.View leader = election.view();
            if (leader.role() != LeaderElection.Role.LEADER) {
                // A standby that reached the source and waits is ready: it takes over, so a rollout may go on
                // (mutating calls it answers with 503 naming the leader).
                return HealthCheckResponse.named("pipeline").withData("role", leader.role().name())
                        .withData("leader", leader.leader() == null ? "unknown" : leader.leader())
                        .status(leader.role() == LeaderElection.Role.STANDBY).build();
            }
            boolean source = pipeline.sourceReachable();
            boolean kafka = pipeline.kafkaReachable();
            boolean target = pipeline.targetReachable();
            boolean capture = pipeline.captureRunning();
            boolean apply = pipeline.applyRunning();
            return HealthCheckResponse.named("pipeline").withData("role", leader.role().name())
                    .withData("source", source).withData("kafka", kafka).withData("target", target)
                    .withData("capture", capture).withData("apply", apply)
                    .status(source && kafka && target && capture && apply).build();
        }
    }
}
