package io.greenlight.api;

import io.greenlight.Pipeline;
import io.greenlight.PipelineState;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Liveness: DOWN once the pipeline FAILED, so Kubernetes restarts the pod and the log says why.
 * Readiness: source, Kafka and target reachable and both capture and apply running.
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
        private final Pipeline pipeline;

        public Ready(Pipeline pipeline) {
            this.pipeline = pipeline;
        }

        @Override
        public HealthCheckResponse call() {
            boolean source = pipeline.sourceReachable();
            boolean kafka = pipeline.kafkaReachable();
            boolean target = pipeline.targetReachable();
            boolean capture = pipeline.captureRunning();
            boolean apply = pipeline.applyRunning();
            return HealthCheckResponse.named("pipeline")
                    .withData("source", source).withData("kafka", kafka).withData("target", target)
                    .withData("capture", capture).withData("apply", apply)
                    .status(source && kafka && target && capture && apply).build();
        }
    }
}
