package io.greenlight.api;

import io.greenlight.Pipeline;
import io.greenlight.PipelineState;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.TableId;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** GET /status: phase, failure, and per-table counts. Never shows credentials. */
@Path("/status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    public record TableStatus(String table, String state, long captured, long applied) {
    }

    public record KafkaStatus(String bootstrapServers, boolean embedded) {
    }

    public record Status(String phase, PipelineState.Failure failure, boolean captureRunning, boolean applyRunning,
                         KafkaStatus kafka, List<TableStatus> tables) {
    }

    private final Pipeline pipeline;
    private final PipelineState state;
    private final PipelineMeters meters;

    public StatusResource(Pipeline pipeline, PipelineState state, PipelineMeters meters) {
        this.pipeline = pipeline;
        this.state = state;
        this.meters = meters;
    }

    @GET
    public Status status() {
        PipelineState.Phase phase = pipeline.phase();
        Map<String, long[]> totals = meters.tableTotals();
        List<TableStatus> tables = new ArrayList<>();
        for (TableId id : pipeline.tables().keySet()) {
            long[] counts = totals.getOrDefault(id.toString(), new long[2]);
            tables.add(new TableStatus(id.toString(), phase.name(), counts[0], counts[1]));
        }
        return new Status(phase.name(), state.failure().orElse(null), pipeline.captureRunning(), pipeline.applyRunning(),
                new KafkaStatus(pipeline.bootstrapServers().orElse(null), pipeline.embeddedBroker()), tables);
    }
}
