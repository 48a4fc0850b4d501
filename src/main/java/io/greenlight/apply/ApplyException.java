package io.greenlight.apply;

/** A change that cannot be applied as it is; retrying will not help. Names the event's coordinates. */
public class ApplyException extends RuntimeException {

    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }

    public ApplyException(String message) {
        super(message);
    }
}
