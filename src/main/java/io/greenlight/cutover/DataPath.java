package io.greenlight.cutover;

import io.greenlight.capture.SourceCleanup;
import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cutover needs of the data path, and nothing more: both sides' connections and the
 * target's dialect, the tables that move, whether changes still stream, a marker written through
 * capture to drain up to, and the source's cleanup once the move is complete. The pipeline
 * implements it; the cutover sees no other part of it.
 */
public interface DataPath {

    /** The source's pool, once the pipeline reached the source. */
    Optional<DataSource> sourcePool();

    /** The target's pool, once the pipeline reached the target. */
    Optional<DataSource> targetPool();

    /** The target's dialect, known once the pipeline reached the target. */
    Optional<Dialect> dialect();

    /** The captured tables as apply writes them now (with the source's DDL followed). */
    Map<TableId, SourceTable> tables();

    /** The application's tables, without Greenlight's own. */
    List<TableId> applicationTables();

    boolean captureRunning();

    boolean applyRunning();

    /** Writes a heartbeat carrying {@code marker} on the source; the source WAL position after it. */
    String writeMarker(String marker);

    /** Stops the pipeline for good and removes Greenlight's slot, publication and heartbeat table from the source. */
    SourceCleanup.Result cleanupSource() throws SQLException, InterruptedException;
}
