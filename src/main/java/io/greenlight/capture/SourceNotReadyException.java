package io.greenlight.capture;

import java.util.List;

/** The source cannot be captured as it is; the message lists each reason with its fix. */
public class SourceNotReadyException extends RuntimeException {

    public SourceNotReadyException(List<String> problems) {
        super(String.join("\n", problems));
    }
}
