package io.greenlight;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * greenlight_pipeline_phase{phase}: 1 for the phase the pipeline is in (as GET /status reports it), 0 for
 * the others. Alert rules use it to tell an initial load, whose lag is expected, from a stalled stream.
 * It only reads the phase: a scrape never moves it (capture's batches and the backfill's end do).
 */
@Startup
@ApplicationScoped
public class PipelinePhaseMeter {

    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();

    public PipelinePhaseMeter(MeterRegistry registry, PipelineState state) {
        this.registry = registry;
        for (PipelineState.Phase phase : PipelineState.Phase.values()) {
            gauges.add(Gauge.builder("greenlight.pipeline.phase", state, s -> s.phase() == phase ? 1 : 0)
                    .description("1 for the pipeline's current phase, 0 for the others").tag("phase", phase.name())
                    .strongReference(true).register(registry));
        }
    }

    @PreDestroy
    void removeGauges() {
        gauges.forEach(registry::remove);
    }
}
