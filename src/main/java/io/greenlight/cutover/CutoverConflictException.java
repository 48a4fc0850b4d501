package io.greenlight.cutover;

/** A cutover is active or completed: it fires once. Carries the existing record for the 409 body. */
public class CutoverConflictException extends RuntimeException {

    private final transient CutoverRecord existing;

    public CutoverConflictException(String message, CutoverRecord existing) {
        super(message);
        this.existing = existing;
    }

    public CutoverRecord existing() {
        return existing;
    }
}
