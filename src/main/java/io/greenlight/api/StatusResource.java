package io.greenlight.api;

import io.greenlight.config.GreenlightConfig;
import io.greenlight.leader.LeaderElection;

import io.greenlight.PipelineState;
import io.greenlight.apply.ApplyGate;
import io.greenlight.apply.TablePauses;
import io.greenlight.cutover.CutoverRecord;
import io.greenlight.cutover.CutoverService;
import io.greenlight.backfill.BackfillProgress;
import io.greenlight.backfill.CopyThrottle;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.TableId;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.ArrayList;
import io.greenlight.reverse.ReverseReplication;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** GET /status: phase, failure, and per-table counts. Never shows credentials. */
@Path("/status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    /** state is the phase, or PAUSED (with the error and since when) while apply of the table is paused. */
    public record TableStatus(String table, String state, long captured, long applied, String error, Instant since) {
    }

    public record KafkaStatus(String bootstrapServers, boolean embedded) {
    }

    /** Seconds behind (end to end and per stage), source clock skew, retained WAL and unconsumed records. */
    public record LagStatus(double endToEndSeconds, double captureSeconds, double applySeconds, double clockSkewSeconds,
                            long replicationSlotBytes, long kafkaConsumerRecords) {
    }

    /**
     * The latest cutover in short (GET /cutover has all of it); {@code applyGate} says why forward apply
     * does not write (switching, completed); {@code unapplied} lists changes captured from the old
     * source after the cutover completed, per table with their keys: they are not on the target.
     */
    public record CutoverStatus(String id, String state, boolean fenceUp, String reason, String applyGate,
                                List<ApplyGate.Unapplied> unapplied) {
    }

    /**
     * {@code direction}: which way data flows ({@link io.greenlight.cutover.Direction}): FORWARD while
     * the source is the primary; REVERSE once a cutover completed with a rollback path, while reverse
     * replication keeps the old source in sync ({@code reverse} tells whether it runs and how far
     * behind it is); NONE after a cutover without a rollback path, or after complete.
     * {@code warnings}: settings that make the migration less safe than it can be (e.g. DDL capture off).
     */
    public record Status(String phase, PipelineState.Failure failure, boolean captureRunning, boolean applyRunning,
                         LagStatus lag, KafkaStatus kafka, List<TableStatus> tables,
                         List<BackfillProgress.TableProgress> backfill, CopyThrottle.View backfillThrottle,
                         CutoverStatus cutover, String direction,
                         Map<String, Object> reverse, LeaderElection.View leader, String standby,
                         List<String> warnings) {
    }

    private final PipelineStatus pipeline;
    private final PipelineState state;
    private final PipelineMeters meters;
    private final LagTracker lag;
    private final TablePauses pauses;
    private final CutoverService cutover;
    private final LeaderElection election;
    private final ReverseReplication reverse;
    private final GreenlightConfig config;

    /** {@code leader}: this instance's role (LEADER, STANDBY), who leads and the epoch (fencing token). */
    public StatusResource(PipelineStatus pipeline, PipelineState state, PipelineMeters meters, LagTracker lag, TablePauses pauses,
                          CutoverService cutover, ReverseReplication reverse, LeaderElection election, GreenlightConfig config) {
        this.config = config;
        this.election = election;
        this.reverse = reverse;
        this.pauses = pauses;
        this.cutover = cutover;
        this.pipeline = pipeline;
        this.state = state;
        this.meters = meters;
        this.lag = lag;
    }

    @GET
    public Status status() {
        PipelineState.Phase phase = pipeline.phase();
        Map<String, long[]> totals = meters.tableTotals();
        List<TableStatus> tables = new ArrayList<>();
        for (TableId id : pipeline.applicationTables()) {
            long[] counts = totals.getOrDefault(id.toString(), new long[2]);
            Optional<TablePauses.Pause> pause = pauses.get(id);
            tables.add(new TableStatus(id.toString(), pause.map(p -> p.resumeRequested() ? "RESUMING" : "PAUSED").orElse(phase.name()),
                    counts[0], counts[1], pause.map(TablePauses.Pause::error).orElse(null),
                    pause.map(TablePauses.Pause::since).orElse(null)));
        }
        LagStatus lagStatus = new LagStatus(lag.endToEndSeconds(), lag.captureSeconds(), lag.applySeconds(),
                lag.skewSeconds(), meters.slotLagBytes(), meters.consumerLagRecords());
        return new Status(phase.name(), state.failure().orElse(null), pipeline.captureRunning(), pipeline.applyRunning(),
                lagStatus, new KafkaStatus(pipeline.bootstrapServers().orElse(null), pipeline.embeddedBroker()), tables,
                pipeline.backfillProgress().map(BackfillProgress::tables).orElse(List.of()),
                pipeline.backfillProgress().map(BackfillProgress::throttle).orElse(null), cutoverStatus(), direction(),
                reverse.started() ? reverse.status() : null, election.view(), notLeading(election.view()),
                config.schema().ddlCapture() == GreenlightConfig.Schema.DdlCapture.OFF
                        ? List.of(io.greenlight.capture.DdlCapture.OFF_WARNING) : List.of());
    }

    /**
     * {@code standby}: on an instance that does not lead, what it is and who leads, said plainly;
     * null on the leader. Its phase, lag and tables are its own (nothing runs there), not the migration's.
     */
    static String notLeading(LeaderElection.View view) {
        String self = "This instance (" + view.instance() + ")";
        String ask = " Phase, lag and tables here are this instance's, not the migration's (the cutover shown is the one "
                + "the leader persisted); ask the leader: the Services greenlight and greenlight-admin route to it.";
        return switch (view.role()) {
            case LEADER -> null;
            case STANDBY -> self + " is a standby; the leader is " + view.leader() + ". It captures, applies and runs the "
                    + "cutover; this instance takes over when its lease expires." + ask;
            case STARTING -> self + " is starting: it connects to the source and then joins the leader election; "
                    + "the leader is " + (view.leader() == null || view.leader().isEmpty() ? "not known yet" : view.leader()) + "." + ask;
            case REFUSED -> self + " refused to run next to the leader " + view.leader() + " (see failure).";
        };
    }

    private String direction() {
        // a standby shows the direction of the cutover the leader persisted, as it shows that cutover
        return io.greenlight.cutover.Direction.of(cutover.shown().orElse(null)).name();
    }

    private CutoverStatus cutoverStatus() {
        Optional<CutoverRecord> current = cutover.shown();
        boolean standby = election.view().role() == LeaderElection.Role.STANDBY; // its apply gate is not the leader's
        Optional<String> gate = standby ? Optional.empty() : cutover.applyGate();
        List<ApplyGate.Unapplied> unapplied = standby ? List.of() : cutover.unapplied();
        if (current.isEmpty() && gate.isEmpty() && unapplied.isEmpty()) {
            return null;
        }
        return new CutoverStatus(current.map(CutoverRecord::id).orElse(null), current.map(r -> r.state().name()).orElse(null),
                current.map(CutoverRecord::fenceUp).orElse(false),
                current.map(CutoverRecord::reason).orElse(null), gate.orElse(null), unapplied);
    }
}
