package io.greenlight.cli;

/** The API could not be reached, or answered with an error status; the message says which and what to do. */
public class ApiException extends Exception {

    private final int status;
    private final String body;

    public ApiException(int status, String message, String body) {
        super(message);
        this.status = status;
        this.body = body;
    }

    /** HTTP status, or 0 when the server could not be reached. */
    public int status() {
        return status;
    }

    public String body() {
        return body;
    }
}
