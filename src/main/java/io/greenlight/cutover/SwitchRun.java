package io.greenlight.cutover;

import java.util.Map;

/**
 * One switch action of a cutover, persisted before it runs with what reverting it needs.
 *
 * @param action          {@code kubernetes} or {@code webhook}
 * @param selectorBefore  (kubernetes) the Service's selector before the patch
 * @param state           STARTED: running or its outcome unknown; DONE: took effect; FAILED: answered that it
 *                        did nothing; REVERTED: undone
 * @param note            what happened, for the operator
 */
public record SwitchRun(String action, Map<String, String> selectorBefore, State state, String note) {

    public enum State { STARTED, DONE, FAILED, REVERTED }

    public static final String KUBERNETES = "kubernetes";
    public static final String WEBHOOK = "webhook";

    public SwitchRun to(State next, String why) {
        return new SwitchRun(action, selectorBefore, next, why);
    }

    /** STARTED counts: a request that timed out may have been carried out. */
    public boolean mayHaveTakenEffect() {
        return state == State.STARTED || state == State.DONE;
    }
}
