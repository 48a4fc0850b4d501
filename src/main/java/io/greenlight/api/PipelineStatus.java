package io.greenlight.api;

import io.greenlight.PipelineState;
import io.greenlight.backfill.BackfillProgress;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.schema.TableId;

import java.util.List;
import java.util.Optional;

/** What GET /status, GET /preflight and the health checks read of the pipeline; none of it changes anything. */
public interface PipelineStatus {

    /** SNAPSHOT until the initial copy is done, then STREAMING; STARTING, STOPPED or FAILED otherwise. */
    PipelineState.Phase phase();

    /** The application's tables, without Greenlight's own. */
    List<TableId> applicationTables();

    boolean captureRunning();

    boolean applyRunning();

    Optional<String> bootstrapServers();

    /** Greenlight runs its own broker. */
    boolean embeddedBroker();

    /** The initial load's progress, when greenlight.source.snapshot-mode is backfill. */
    Optional<BackfillProgress> backfillProgress();

    /** The type-mapping report of the last start, once the source and target were read. */
    Optional<PreflightReport> preflight();

    boolean sourceReachable();

    boolean targetReachable();

    boolean kafkaReachable();
}
