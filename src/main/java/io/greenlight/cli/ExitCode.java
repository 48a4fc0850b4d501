package io.greenlight.cli;

/** Exit codes scripts and Jobs rely on (documented in docs/cli.md). */
public final class ExitCode {

    /** The operation finished as asked: cutover COMPLETED, verification PASSED, status printed. */
    public static final int OK = 0;
    /** It ended, but not well: cutover FAILED, verification FAILED (rows differ) or ERROR. */
    public static final int FAILED = 1;
    /** The cutover was ABORTED. */
    public static final int ABORTED = 2;
    /** --timeout passed before the operation ended (it keeps running on the server). */
    public static final int TIMEOUT = 3;
    /** The API could not be reached or refused the request (401, 409, 4xx, 5xx). */
    public static final int API_ERROR = 4;
    /** The server does not support this command yet (its route answers 404). */
    public static final int UNSUPPORTED = 5;
    /** Wrong command line. */
    public static final int USAGE = 64;

    private ExitCode() {
    }
}
