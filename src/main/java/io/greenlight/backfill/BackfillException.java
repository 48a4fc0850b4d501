package io.greenlight.backfill;

/** A row the backfill cannot write as it is; the message names table, column, key and snapshot LSN. */
public final class BackfillException extends RuntimeException {

    public BackfillException(String message, Throwable cause) {
        super(message, cause);
    }
}
