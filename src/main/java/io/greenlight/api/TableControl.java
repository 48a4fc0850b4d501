package io.greenlight.api;

import io.greenlight.schema.TableId;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The verbs of POST /tables/...: copy tables again, on request or after the backfill paused one. */
public interface TableControl {

    /** The application's tables, without Greenlight's own. */
    List<TableId> applicationTables();

    /** Records a copy of {@code table} on the target and restarts, which copies it at a fresh snapshot. */
    void recopy(TableId table) throws SQLException;

    /** Every table copied again, every stored position forgotten. */
    void recopyAll() throws SQLException;

    /** Copies a table the backfill paused again while the others stream; why it cannot start, if it cannot. */
    Optional<String> copyPausedTableAgain(TableId table);
}
