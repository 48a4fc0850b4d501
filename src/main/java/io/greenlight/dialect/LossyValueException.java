package io.greenlight.dialect;

/**
 * A value the target column cannot hold exactly, for a column whose loss was not accepted. The
 * message says what the value is and why it does not fit; apply adds table, column, key and LSN.
 */
public class LossyValueException extends RuntimeException {

    public LossyValueException(String message) {
        super(message);
    }
}
