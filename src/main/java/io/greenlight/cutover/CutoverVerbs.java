package io.greenlight.cutover;

import java.util.Optional;

/**
 * The rules of the verbs, per state of the latest cutover: whether POST /cutover, POST /rollback,
 * POST /complete and DELETE /cutover may run, and if not, the 409's message. Each verb fires once;
 * a refusal never advises a verb that would be refused too.
 */
final class CutoverVerbs {

    private CutoverVerbs() {
    }

    /** POST /cutover (and its dry run's firesOnce check). A FAILED cutover whose fence is up is checked on the source as well. */
    static Optional<String> refuseStart(CutoverRecord latest) {
        if (latest == null || latest.state().terminal() && latest.state() != CutoverState.COMPLETED
                && latest.state() != CutoverState.FINISHED) {
            return Optional.empty();
        }
        return Optional.of(switch (latest.state()) {
            case COMPLETED -> latest.options().giveUpRollback()
                    ? "The cutover already completed; it fires once. It gave rollback up (\"giveUpRollback\": true), so there is "
                    + "no way back: POST /complete ends the migration."
                    : "The cutover already completed; it fires once. POST /rollback to switch back, POST /complete to end the migration.";
            case FINISHED -> "The migration is finished (POST /complete); there is nothing to cut over.";
            case ROLLING_BACK -> "A rollback is in progress.";
            default -> "A cutover is already in progress.";
        });
    }

    /** POST /rollback; {@code running}: a rollback thread of this process is still at work. */
    static Optional<String> refuseRollback(CutoverRecord latest, boolean running) {
        if (latest == null) {
            return Optional.of("There is no cutover to roll back.");
        }
        if (running) {
            return Optional.of("The rollback of cutover " + latest.id() + " is running.");
        }
        if (latest.state() != CutoverState.COMPLETED && latest.state() != CutoverState.ROLLING_BACK) {
            return Optional.of("The cutover is " + latest.state() + "; only a COMPLETED cutover can be rolled back.");
        }
        if (latest.options().giveUpRollback()) {
            return Optional.of("Cutover " + latest.id() + " gave rollback up (\"giveUpRollback\": true): the source "
                    + "was not kept in sync after the switch, so a rollback would lose the writes made on the target.");
        }
        return Optional.empty();
    }

    /** POST /complete. */
    static Optional<String> refuseComplete(CutoverRecord latest) {
        if (latest == null) {
            return Optional.of("There is no cutover to complete.");
        }
        String state = "The cutover is " + latest.state() + "; only a COMPLETED cutover can be completed";
        return switch (latest.state()) {
            case COMPLETED -> Optional.empty();
            case FINISHED -> Optional.of("The migration is already FINISHED; completing fires once, and there is nothing left to do.");
            case ROLLING_BACK -> Optional.of(state + ". Wait until it is ROLLED_BACK (GET /cutover follows it); a rollback that "
                    + "stopped half way is finished by POST /rollback.");
            case ABORTED, FAILED, ROLLED_BACK -> Optional.of(state + " (POST /cutover first).");
            default -> Optional.of(state + ": wait until it is (GET /cutover follows it).");
        };
    }

    /** DELETE /cutover: only before the fence. */
    static Optional<String> refuseAbort(CutoverRecord latest) {
        if (latest == null) {
            return Optional.of("There is no cutover to abort.");
        }
        if (latest.state() != CutoverState.ARMED && latest.state() != CutoverState.WAITING_FOR_LAG) {
            return Optional.of("The cutover is " + latest.state() + "; it can only be aborted before the fence (ARMED, WAITING_FOR_LAG).");
        }
        return Optional.empty();
    }
}
