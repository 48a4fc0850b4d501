package io.greenlight.dialect;

/**
 * A value the target column cannot hold exactly, for a column whose loss was not accepted. The
 * message says what the value is and why it does not fit; apply adds table, column, key and LSN.
 * {@link #acceptable()} is false where accepting the loss would not help (no value could be
 * stored): messages then advise only what works.
 */
public class LossyValueException extends RuntimeException {

    private final boolean acceptable;

    public LossyValueException(String message) {
        this(message, true);
    }

    public LossyValueException(String message, boolean acceptable) {
        super(message);
        this.acceptable = acceptable;
    }

    public boolean acceptable() {
        return acceptable;
    }

    /** The next step a message about this value advises for {@code column} (schema.table.column). */
    public String remedy(String column) {
        return acceptable ? "Accept the loss with " + LossyPolicy.KEY + "=" + column + " (then restart), or widen the target column"
                : "Accepting the loss cannot help here: widen the target column (or change the value on the source)";
    }
}
