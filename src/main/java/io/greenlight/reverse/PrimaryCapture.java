package io.greenlight.reverse;

import io.greenlight.capture.HeartbeatTable;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Struct;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Properties;

/**
 * How the new primary is captured after the switch, per engine: a MySQL/MariaDB target's binlog
 * ({@link BinlogCapture}), or a PostgreSQL target's WAL through pgoutput, the capture forward
 * replication runs on the source ({@link PgOutputCapture}). The rest of reverse replication (the
 * embedded engine, apply through the batch unit forward apply uses, offsets on the old source,
 * the heartbeat writer and lag tracker forward uses, marker) is one path for both.
 */
interface PrimaryCapture {

    /** The capture for the configured target's engine. */
    static PrimaryCapture of(GreenlightConfig config, String stream) {
        String url = config.target().url().orElseThrow(() -> new IllegalStateException("greenlight.target.url is not set"));
        return Dialect.isPostgres(Dialect.connectionUrl(url)) ? new PgOutputCapture(config, stream) : new BinlogCapture(config, stream);
    }

    /** The new primary's heartbeat table, in its dialect. */
    HeartbeatTable heartbeatTable();

    /** What the new primary's changes are read from, for messages: "binlog", "WAL (pgoutput)". */
    String kind();

    /** Why the new primary cannot be captured after the switch (each with its fix), empty when it can. */
    List<String> problems(Connection target, Collection<TableId> tables) throws SQLException;

    /**
     * Where the new primary's change stream ends now (called while both sides are fenced and
     * forward apply drained, before the switch): reverse replication reads everything after it.
     * Creates what capture needs on the target (PostgreSQL: the publication and the slot, anew).
     * Gives up with an error naming what it waited for once {@code within} (what is left of the
     * write-blocked budget) has passed.
     */
    ReverseStart recordStart(Connection target, Collection<TableId> tables, java.time.Duration within) throws SQLException;

    /** The engine's settings, reading {@code tables} (the old source's models) and the reverse heartbeat table. */
    Properties properties(Collection<SourceTable> tables);

    /** The name of the table a change of the new primary belongs to ({@code source}: the envelope's source block)... */
    String key(Struct source);

    /** ...and of an old source table on the new primary: equal keys, same table. */
    String key(TableId table);

    /** A row image of the new primary in the old source table's form. */
    Struct row(SourceTable table, Struct image);

    /** Where a change came from, for errors: "binlog mysql-bin.000003" / "WAL". */
    String where(Struct source);

    /** Its position there (binlog byte offset, LSN). */
    long position(Struct source);

    /**
     * Forgets a recorded start that is no longer read from (a failed switch, a finished rollback):
     * a PostgreSQL slot nobody reads would hold the new primary's WAL forever. Returns what it removed.
     */
    List<String> discard(Connection target) throws SQLException;

    /** POST /complete: removes what capture created on the new primary (PostgreSQL: the slot and the publication); returns what. */
    List<String> remove(Connection target) throws SQLException;
}
