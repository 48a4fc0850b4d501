package io.greenlight.apply;

import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.TableId;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tables whose apply is paused at a change the target cannot take, with the error and since
 * when. Apply pauses them; the resume endpoint asks apply to retry them. Only memory: after a
 * restart apply starts from greenlight_offsets, meets the same change and pauses again unless
 * the cause is gone.
 */
@ApplicationScoped
public class TablePauses {

    /**
     * A paused table: why, since when, whether a resume was asked for and not yet taken by apply,
     * whether the backfill paused it (its copy is incomplete: only a copy again resumes it), and the
     * source commit time of the change it stopped at (the oldest it has not applied).
     */
    public record Pause(TableId table, String error, Instant since, boolean resumeRequested, boolean copyIncomplete,
                        long oldestChangeMs) {
    }

    private final Map<TableId, Pause> paused = new ConcurrentHashMap<>();
    private final PipelineMeters meters;

    public TablePauses(PipelineMeters meters) {
        this.meters = meters;
    }

    /** A new pipeline run: nothing is paused; every table's greenlight_table_paused gauge reads 0. */
    public void reset(Collection<TableId> tables) {
        paused.keySet().forEach(t -> meters.tablePaused(t.toString(), false));
        paused.clear();
        tables.forEach(t -> meters.tablePaused(t.toString(), false));
    }

    public void pause(TableId table, String error) {
        pause(table, error, System.currentTimeMillis());
    }

    public void pause(TableId table, String error, long oldestChangeMs) {
        paused.put(table, new Pause(table, error, Instant.now(), false, false, oldestChangeMs));
        meters.tablePaused(table.toString(), true);
    }

    /** The backfill could not copy a row of the table: apply holds it until it is copied again. */
    public void pauseCopy(TableId table, String error) {
        Pause earlier = paused.get(table);
        paused.put(table, new Pause(table, error, earlier != null ? earlier.since() : Instant.now(), false, true,
                earlier != null ? earlier.oldestChangeMs() : System.currentTimeMillis()));
        meters.tablePaused(table.toString(), true);
    }

    public Optional<Pause> get(TableId table) {
        return Optional.ofNullable(paused.get(table));
    }

    /** Every table paused now. */
    public List<Pause> all() {
        return List.copyOf(paused.values());
    }

    public boolean isPaused(TableId table) {
        return paused.containsKey(table);
    }

    /** Asks apply to retry the table from the change it stopped at; false when it is not paused or its copy is incomplete. */
    public boolean requestResume(TableId table) {
        Pause pause = paused.computeIfPresent(table, (t, p) -> p.copyIncomplete() ? p
                : new Pause(t, p.error(), p.since(), true, false, p.oldestChangeMs()));
        return pause != null && !pause.copyIncomplete();
    }

    /** The backfill copied the table again on resume: apply resumes it like a table paused while streaming. */
    public void copied(TableId table) {
        paused.computeIfPresent(table, (t, p) -> new Pause(t, p.error(), p.since(), true, false, p.oldestChangeMs()));
    }

    /** For apply: the tables to resume now; they count as running again from here on. */
    List<TableId> takeResumeRequests() {
        List<TableId> resumed = new ArrayList<>();
        for (Pause pause : List.copyOf(paused.values())) {
            if (pause.resumeRequested() && paused.remove(pause.table(), pause)) {
                meters.tablePaused(pause.table().toString(), false);
                resumed.add(pause.table());
            }
        }
        return resumed;
    }
}
