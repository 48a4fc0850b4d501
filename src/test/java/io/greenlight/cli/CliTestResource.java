package io.greenlight.cli;

import io.greenlight.testing.CutoverTestResource;

/** The bank of the cutover tests in a database of its own, so the CLI's cutover is the only one there. */
public class CliTestResource extends CutoverTestResource {

    public static final String DATABASE = "cli_bank";

    @Override
    protected String database() {
        return DATABASE;
    }
}
