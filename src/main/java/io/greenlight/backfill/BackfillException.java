package io.greenlight.backfill;

import io.greenlight.schema.TableId;

/**
 * A row the backfill cannot write as it is; the message names table, column, key and snapshot
 * LSN. The backfill pauses that table and copies the rest, as apply does with a streamed change.
 */
public final class BackfillException extends RuntimeException {

    private final TableId table;

    public BackfillException(TableId table, String message, Throwable cause) {
        super(message, cause);
        this.table = table;
    }

    public TableId table() {
        return table;
    }
}
