package io.greenlight.cutover;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.greenlight.cutover.CutoverState.ABORTED;
import static io.greenlight.cutover.CutoverState.ARMED;
import static io.greenlight.cutover.CutoverState.COMPLETED;
import static io.greenlight.cutover.CutoverState.DRAINING;
import static io.greenlight.cutover.CutoverState.FAILED;
import static io.greenlight.cutover.CutoverState.FENCING;
import static io.greenlight.cutover.CutoverState.FINISHED;
import static io.greenlight.cutover.CutoverState.POSTPONED;
import static io.greenlight.cutover.CutoverState.ROLLED_BACK;
import static io.greenlight.cutover.CutoverState.ROLLING_BACK;
import static io.greenlight.cutover.CutoverState.SWITCHING;
import static io.greenlight.cutover.CutoverState.SYNCING_SEQUENCES;
import static io.greenlight.cutover.CutoverState.VERIFYING;
import static io.greenlight.cutover.CutoverState.WAITING_FOR_LAG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cutover's state machine over both directions, without servers: which transitions the record
 * allows and which it refuses (with the error), which verb each state accepts and the 409 of each
 * one it refuses, that each step fires once, what a restart does from each persisted state, and
 * where a failed rollback ends.
 */
class CutoverStateMachineTest {

    private static final CutoverOptions OPTIONS = CutoverOptions.none().withDefaults(2);
    private static final CutoverOptions GIVE_UP = new ObjectMapper().convertValue(Map.of("giveUpRollback", true),
            CutoverOptions.class).withDefaults(2);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /** Every allowed transition, as the cutover and the rollback take them. */
    private static final Map<CutoverState, Set<CutoverState>> ALLOWED = new EnumMap<>(Map.ofEntries(
            Map.entry(ARMED, EnumSet.of(WAITING_FOR_LAG, ABORTED, FAILED)),
            Map.entry(WAITING_FOR_LAG, EnumSet.of(FENCING, ABORTED, FAILED)),
            Map.entry(FENCING, EnumSet.of(DRAINING, FAILED)),
            Map.entry(DRAINING, EnumSet.of(SYNCING_SEQUENCES, FAILED)),
            Map.entry(SYNCING_SEQUENCES, EnumSet.of(VERIFYING, POSTPONED, SWITCHING, FAILED)),
            Map.entry(VERIFYING, EnumSet.of(POSTPONED, SWITCHING, FAILED)),
            Map.entry(POSTPONED, EnumSet.of(SWITCHING, FAILED)),
            Map.entry(SWITCHING, EnumSet.of(COMPLETED, FAILED)),
            Map.entry(COMPLETED, EnumSet.of(ROLLING_BACK, FINISHED)),
            Map.entry(ROLLING_BACK, EnumSet.of(ROLLED_BACK, COMPLETED, ROLLING_BACK)),
            Map.entry(ABORTED, EnumSet.noneOf(CutoverState.class)),
            Map.entry(FAILED, EnumSet.noneOf(CutoverState.class)),
            Map.entry(ROLLED_BACK, EnumSet.noneOf(CutoverState.class)),
            Map.entry(FINISHED, EnumSet.noneOf(CutoverState.class))));

    // ---- transitions ----

    static Stream<Arguments> allowedTransitions() {
        return ALLOWED.entrySet().stream().flatMap(e -> e.getValue().stream().map(to -> Arguments.of(e.getKey(), to)));
    }

    static Stream<Arguments> refusedTransitions() {
        return ALLOWED.entrySet().stream().flatMap(e -> Stream.of(CutoverState.values())
                .filter(to -> !e.getValue().contains(to)).map(to -> Arguments.of(e.getKey(), to)));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("allowedTransitions")
    void anAllowedTransitionMovesTheRecordAndAppendsItToTheHistory(CutoverState from, CutoverState to) {
        CutoverRecord before = in(from);
        CutoverRecord after = before.to(to, "because");
        assertEquals(to, after.state());
        assertEquals(before.transitions().size() + 1, after.transitions().size());
        Transition last = after.transitions().get(after.transitions().size() - 1);
        assertEquals(to, last.state());
        assertEquals("because", last.note());
        assertEquals(to == FAILED || to == ABORTED ? "because" : before.reason(), after.reason(),
                "only a failure or an abort sets the reason");
        assertEquals(from, before.state(), "records are values: the earlier one is unchanged");
    }

    @ParameterizedTest(name = "{0} ↛ {1}")
    @MethodSource("refusedTransitions")
    void aRefusedTransitionThrowsNamingBothStatesAndWhereTheCutoverMayGo(CutoverState from, CutoverState to) {
        CutoverRecord before = in(from);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> before.to(to, "by mistake"));
        String where = ALLOWED.get(from).isEmpty() ? from + " is final" : "from " + from + " it goes to " + ALLOWED.get(from) + " only";
        assertEquals("Cutover c1 cannot go from " + from + " to " + to + " (by mistake): " + where + ". The record is unchanged.",
                e.getMessage());
    }

    @Test
    void theStatesOwnTableIsExactlyTheOneThisTestSpecifies() {
        for (CutoverState state : CutoverState.values()) {
            assertEquals(ALLOWED.get(state), state.next(), state.name());
        }
    }

    @Test
    void everyStateIsReachableFromArmed() {
        Set<CutoverState> seen = EnumSet.of(ARMED);
        Deque<CutoverState> todo = new ArrayDeque<>(List.of(ARMED));
        while (!todo.isEmpty()) {
            for (CutoverState next : todo.pop().next()) {
                if (seen.add(next)) {
                    todo.push(next);
                }
            }
        }
        assertEquals(EnumSet.allOf(CutoverState.class), seen);
    }

    @Test
    void onlyAbortedFailedRolledBackAndFinishedNeverMoveAgain() {
        Set<CutoverState> finals = EnumSet.noneOf(CutoverState.class);
        for (CutoverState state : CutoverState.values()) {
            if (state.next().isEmpty()) {
                finals.add(state);
            }
        }
        assertEquals(EnumSet.of(ABORTED, FAILED, ROLLED_BACK, FINISHED), finals);
    }

    @Test
    void theSourceMayBeFencedFromFencingThroughSwitchingOnly() {
        Set<CutoverState> fenced = EnumSet.noneOf(CutoverState.class);
        for (CutoverState state : CutoverState.values()) {
            if (state.fenced()) {
                fenced.add(state);
            }
        }
        assertEquals(EnumSet.of(FENCING, DRAINING, SYNCING_SEQUENCES, VERIFYING, POSTPONED, SWITCHING), fenced);
    }

    @Test
    void everyStateFromWhichTheFenceMayBeUpCanFailAndNothingAfterTheSwitchCan() {
        for (CutoverState state : CutoverState.values()) {
            assertEquals(state.ordinal() < COMPLETED.ordinal(), state.next().contains(FAILED), state.name());
        }
    }

    @Test
    void onlyACutoverThatHasNotFencedCanBeAborted() {
        for (CutoverState state : CutoverState.values()) {
            assertEquals(state == ARMED || state == WAITING_FOR_LAG, state.next().contains(ABORTED), state.name());
        }
    }

    // ---- verbs ----

    @Test
    void aFirstCutoverMayStart() {
        assertEquals(Optional.empty(), CutoverVerbs.refuseStart(null));
    }

    @ParameterizedTest
    @EnumSource(value = CutoverState.class, names = {"ABORTED", "FAILED", "ROLLED_BACK"})
    void aNewCutoverMayStartAfterOneThatAbortedFailedOrRolledBack(CutoverState state) {
        assertEquals(Optional.empty(), CutoverVerbs.refuseStart(in(state)));
    }

    @ParameterizedTest
    @EnumSource(value = CutoverState.class, names = {"ARMED", "WAITING_FOR_LAG", "FENCING", "DRAINING", "SYNCING_SEQUENCES",
            "VERIFYING", "POSTPONED", "SWITCHING"})
    void aSecondCutoverIsRefusedWhileOneIsInProgress(CutoverState state) {
        assertEquals(Optional.of("A cutover is already in progress."), CutoverVerbs.refuseStart(in(state)));
    }

    @Test
    void aCompletedCutoverFiresOnceAndPointsToRollbackAndComplete() {
        assertEquals(Optional.of("The cutover already completed; it fires once. POST /rollback to switch back, "
                + "POST /complete to end the migration."), CutoverVerbs.refuseStart(in(COMPLETED)));
    }

    @Test
    void aCompletedCutoverThatGaveRollbackUpPointsToCompleteOnly() {
        String refused = CutoverVerbs.refuseStart(in(COMPLETED, GIVE_UP)).orElseThrow();
        assertTrue(refused.startsWith("The cutover already completed; it fires once."), refused);
        assertFalse(refused.contains("POST /rollback to"), refused);
        assertTrue(refused.contains("gave rollback up"), refused);
        assertTrue(refused.contains("POST /complete"), refused);
    }

    @Test
    void aCutoverIsRefusedWhileARollbackRuns() {
        assertEquals(Optional.of("A rollback is in progress."), CutoverVerbs.refuseStart(in(ROLLING_BACK)));
    }

    @Test
    void aCutoverIsRefusedOnceTheMigrationIsFinished() {
        assertEquals(Optional.of("The migration is finished (POST /complete); there is nothing to cut over."),
                CutoverVerbs.refuseStart(in(FINISHED)));
    }

    @Test
    void aCompletedCutoverMayBeRolledBack() {
        assertEquals(Optional.empty(), CutoverVerbs.refuseRollback(in(COMPLETED), false));
    }

    @Test
    void aRollbackThatStoppedHalfWayMayBeFinishedWithAnotherRollback() {
        assertEquals(Optional.empty(), CutoverVerbs.refuseRollback(in(ROLLING_BACK), false));
    }

    @Test
    void aSecondRollbackIsRefusedWhileTheFirstRuns() {
        assertEquals(Optional.of("The rollback of cutover c1 is running."), CutoverVerbs.refuseRollback(in(ROLLING_BACK), true));
    }

    @Test
    void thereIsNothingToRollBackBeforeAnyCutover() {
        assertEquals(Optional.of("There is no cutover to roll back."), CutoverVerbs.refuseRollback(null, false));
    }

    @ParameterizedTest
    @EnumSource(value = CutoverState.class, names = {"COMPLETED", "ROLLING_BACK"}, mode = EnumSource.Mode.EXCLUDE)
    void onlyACompletedCutoverCanBeRolledBack(CutoverState state) {
        String refused = CutoverVerbs.refuseRollback(in(state), false).orElseThrow();
        assertTrue(refused.startsWith("The cutover is " + state + "; only a COMPLETED cutover can be rolled back"), refused);
    }

    @Test
    void aCutoverThatGaveRollbackUpCannotBeRolledBack() {
        assertEquals(Optional.of("Cutover c1 gave rollback up (\"giveUpRollback\": true): the source was not kept in sync after "
                + "the switch, so a rollback would lose the writes made on the target."), CutoverVerbs.refuseRollback(in(COMPLETED, GIVE_UP), false));
    }

    @Test
    void aCompletedCutoverMayBeCompleted() {
        assertEquals(Optional.empty(), CutoverVerbs.refuseComplete(in(COMPLETED)));
    }

    @Test
    void thereIsNothingToCompleteBeforeAnyCutover() {
        assertEquals(Optional.of("There is no cutover to complete."), CutoverVerbs.refuseComplete(null));
    }

    @Test
    void aSecondCompleteIsRefusedAsAlreadyFinished() {
        String refused = CutoverVerbs.refuseComplete(in(FINISHED)).orElseThrow();
        assertTrue(refused.contains("already FINISHED"), refused);
        assertFalse(refused.contains("POST /cutover"), "a finished migration takes no new cutover: " + refused);
    }

    @ParameterizedTest
    @EnumSource(value = CutoverState.class, names = {"ABORTED", "FAILED", "ROLLED_BACK"})
    void completeAfterACutoverThatDidNotEndCompletedAsksForANewCutoverFirst(CutoverState state) {
        assertEquals(Optional.of("The cutover is " + state + "; only a COMPLETED cutover can be completed (POST /cutover first)."),
                CutoverVerbs.refuseComplete(in(state)));
    }

    @ParameterizedTest
    @EnumSource(value = CutoverState.class, names = {"ARMED", "WAITING_FOR_LAG", "FENCING", "DRAINING", "SYNCING_SEQUENCES",
            "VERIFYING", "POSTPONED", "SWITCHING"})
    void completeDuringACutoverWaitsForItInsteadOfAskingForAnother(CutoverState state) {
        String refused = CutoverVerbs.refuseComplete(in(state)).orElseThrow();
        assertTrue(refused.startsWith("The cutover is " + state + "; only a COMPLETED cutover can be completed"), refused);
        assertFalse(refused.contains("POST /cutover"), refused);
    }

    @Test
    void completeDuringARollbackPointsToTheRollback() {
        String refused = CutoverVerbs.refuseComplete(in(ROLLING_BACK)).orElseThrow();
        assertTrue(refused.startsWith("The cutover is ROLLING_BACK; only a COMPLETED cutover can be completed"), refused);
        assertTrue(refused.contains("POST /rollback"), refused);
    }

    @ParameterizedTest
    @EnumSource(value = CutoverState.class, names = {"ARMED", "WAITING_FOR_LAG"})
    void aCutoverThatHasNotFencedMayBeAborted(CutoverState state) {
        assertEquals(Optional.empty(), CutoverVerbs.refuseAbort(in(state)));
    }

    @ParameterizedTest
    @EnumSource(value = CutoverState.class, names = {"ARMED", "WAITING_FOR_LAG"}, mode = EnumSource.Mode.EXCLUDE)
    void anAbortIsRefusedFromTheFenceOn(CutoverState state) {
        assertEquals(Optional.of("The cutover is " + state + "; it can only be aborted before the fence (ARMED, WAITING_FOR_LAG)."),
                CutoverVerbs.refuseAbort(in(state)));
    }

    @Test
    void thereIsNothingToAbortBeforeAnyCutover() {
        assertEquals(Optional.of("There is no cutover to abort."), CutoverVerbs.refuseAbort(null));
    }

    private static final Pattern VERB = Pattern.compile("(POST /cutover|POST /rollback|POST /complete|DELETE /cutover)");

    /** The house rule: the remedy a message advises must work. Checked for every refusal of every verb in every state. */
    @ParameterizedTest
    @EnumSource(CutoverState.class)
    void aRefusalOnlyAdvisesAVerbThatTheSameStateAccepts(CutoverState state) {
        for (CutoverOptions options : List.of(OPTIONS, GIVE_UP)) {
            if (options == GIVE_UP && (state == ROLLING_BACK || state == ROLLED_BACK)) {
                continue; // unreachable: a cutover that gave rollback up is never rolled back
            }
            CutoverRecord record = in(state, options);
            List<Optional<String>> refusals = List.of(CutoverVerbs.refuseStart(record), CutoverVerbs.refuseRollback(record, false),
                    CutoverVerbs.refuseComplete(record), CutoverVerbs.refuseAbort(record));
            for (Optional<String> refusal : refusals) {
                if (refusal.isEmpty()) {
                    continue;
                }
                Matcher m = VERB.matcher(refusal.get().replace("POST /complete);", "")); // "finished (POST /complete)" names the past
                while (m.find()) {
                    Optional<String> advised = switch (m.group(1)) {
                        case "POST /cutover" -> CutoverVerbs.refuseStart(record);
                        case "POST /rollback" -> CutoverVerbs.refuseRollback(record, false);
                        case "POST /complete" -> CutoverVerbs.refuseComplete(record);
                        default -> CutoverVerbs.refuseAbort(record);
                    };
                    assertEquals(Optional.empty(), advised, state + (options == GIVE_UP ? " (rollback given up)" : "") + ": \""
                            + refusal.get() + "\" advises " + m.group(1) + ", which answers 409 there");
                }
            }
        }
    }

    // ---- each step fires once ----

    @Test
    void theRollbackIsNotEnteredTwiceInOneHistory() {
        CutoverRecord rolledBack = in(ROLLED_BACK);
        assertEquals(1, rolledBack.transitions().stream().filter(t -> t.state() == ROLLING_BACK).count());
        assertThrows(IllegalStateException.class, () -> rolledBack.to(ROLLING_BACK, "again"));
    }

    @Test
    void aFinishedMigrationCannotBeCompletedOrRolledBackAgain() {
        CutoverRecord finished = in(FINISHED);
        assertThrows(IllegalStateException.class, () -> finished.to(FINISHED, "again"));
        assertThrows(IllegalStateException.class, () -> finished.to(ROLLING_BACK, "again"));
        assertTrue(CutoverVerbs.refuseComplete(finished).isPresent());
        assertTrue(CutoverVerbs.refuseRollback(finished, false).isPresent());
    }

    @Test
    void theSwitchCompletesOnce() {
        CutoverRecord completed = in(COMPLETED);
        assertThrows(IllegalStateException.class, () -> completed.to(COMPLETED, "again"));
        assertThrows(IllegalStateException.class, () -> completed.to(SWITCHING, "again"));
        assertTrue(CutoverVerbs.refuseStart(completed).isPresent());
    }

    // ---- recovery after a restart, from each persisted state ----

    static Stream<Arguments> recoverySteps() {
        return Stream.of(
                Arguments.of(ARMED, FenceRecovery.Step.WAIT_FOR_LAG_AGAIN),
                Arguments.of(WAITING_FOR_LAG, FenceRecovery.Step.WAIT_FOR_LAG_AGAIN),
                Arguments.of(FENCING, FenceRecovery.Step.LIFT_AND_FAIL),
                Arguments.of(DRAINING, FenceRecovery.Step.LIFT_AND_FAIL),
                Arguments.of(SYNCING_SEQUENCES, FenceRecovery.Step.LIFT_AND_FAIL),
                Arguments.of(VERIFYING, FenceRecovery.Step.LIFT_AND_FAIL),
                Arguments.of(POSTPONED, FenceRecovery.Step.LIFT_AND_FAIL),
                Arguments.of(SWITCHING, FenceRecovery.Step.RESUME_SWITCH),
                Arguments.of(COMPLETED, FenceRecovery.Step.KEEP_CLOSED),
                Arguments.of(ABORTED, FenceRecovery.Step.NOTHING),
                Arguments.of(FAILED, FenceRecovery.Step.NOTHING),
                Arguments.of(ROLLING_BACK, FenceRecovery.Step.RESUME_ROLLBACK),
                Arguments.of(ROLLED_BACK, FenceRecovery.Step.NOTHING),
                Arguments.of(FINISHED, FenceRecovery.Step.KEEP_CLOSED));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("recoverySteps")
    void aRestartTakesTheStepOfThePersistedState(CutoverState state, FenceRecovery.Step expected) throws Exception {
        CutoverRecord persisted = JSON.readValue(JSON.writeValueAsString(in(state)), CutoverRecord.class);
        assertEquals(state, persisted.state());
        assertEquals(expected, FenceRecovery.step(persisted));
    }

    @Test
    void aRestartLiftsTheFenceOfACutoverThatFailedWithItUpAndNothingSwitched() {
        CutoverRecord failedFenced = in(FENCING).fenced(List.of("ALTER DATABASE \"db\" RESET default_transaction_read_only"))
                .to(FAILED, "lifting failed");
        assertEquals(FenceRecovery.Step.LIFT_LEFTOVER, FenceRecovery.step(failedFenced));
    }

    @Test
    void aRestartKeepsTheFenceOfACutoverThatFailedWithASwitchActionNotReverted() {
        CutoverRecord stuck = in(SWITCHING).fenced(List.of("undo"))
                .withRun(new SwitchRun(SwitchRun.WEBHOOK, null, SwitchRun.State.DONE, "posted")).to(FAILED, "revert failed");
        assertEquals(FenceRecovery.Step.HOLD_FENCED, FenceRecovery.step(stuck));
    }

    @ParameterizedTest
    @EnumSource(value = CutoverState.class, names = {"FENCING", "DRAINING", "SYNCING_SEQUENCES", "VERIFYING", "POSTPONED"})
    void aSecondRestartAfterTheFenceWasLiftedDoesNothingMore(CutoverState state) {
        CutoverRecord fenced = in(state).fenced(List.of("undo"));
        assertEquals(FenceRecovery.Step.LIFT_AND_FAIL, FenceRecovery.step(fenced));
        CutoverRecord recovered = fenced.to(FAILED, "Greenlight restarted during " + state).lifted();
        assertEquals(FenceRecovery.Step.NOTHING, FenceRecovery.step(recovered));
    }

    @Test
    void aRestartThatCouldNotLiftTheFenceTriesAgainAtTheNextStart() {
        CutoverRecord notLifted = in(DRAINING).fenced(List.of("undo")).to(FAILED, "restarted; LIFTING THE FENCE FAILED");
        assertEquals(FenceRecovery.Step.LIFT_LEFTOVER, FenceRecovery.step(notLifted));
    }

    @Test
    void theRollbacksProgressSurvivesTheJournal() throws Exception {
        CutoverRecord half = in(ROLLING_BACK).withRollback(new CutoverRecord.Rollback(List.of("SET GLOBAL read_only = OFF"), true,
                java.time.Instant.parse("2026-12-03T10:00:00Z"), null, "rollback-c1-1", List.of("public.items.id: next 12")))
                .withRun(new SwitchRun(SwitchRun.WEBHOOK, null, SwitchRun.State.REVERTED, "reverted"));
        CutoverRecord persisted = JSON.readValue(JSON.writeValueAsString(half), CutoverRecord.class);
        assertEquals(half.rollback(), persisted.rollback());
        assertEquals(half.switchRuns(), persisted.switchRuns());
        assertEquals(FenceRecovery.Step.RESUME_ROLLBACK, FenceRecovery.step(persisted));
    }

    // ---- where a failed rollback ends ----

    @Test
    void aRollbackFailingBeforeAnythingWasHandedBackIsUndone() {
        CutoverRecord fencedPrimary = in(ROLLING_BACK).withRollback(new CutoverRecord.Rollback(List.of("SET GLOBAL read_only = OFF"),
                true, java.time.Instant.now(), null, null, List.of()));
        assertEquals(RollbackRun.AfterFailure.UNDO, RollbackRun.afterFailure(fencedPrimary));
        assertTrue(fencedPrimary.to(COMPLETED, "rollback failed").state() == COMPLETED);
    }

    @Test
    void aRollbackFailingAfterASwitchActionWasRevertedIsFinishedLater() {
        CutoverRecord reverted = in(ROLLING_BACK).withRun(new SwitchRun(SwitchRun.WEBHOOK, null, SwitchRun.State.REVERTED, "reverted"));
        assertEquals(RollbackRun.AfterFailure.FINISH_LATER, RollbackRun.afterFailure(reverted));
    }

    /** With no switch action at all, the lifted source fence is what hands the primary back: undoing then would leave both writable. */
    @Test
    void aRollbackFailingAfterTheSourcesFenceWasLiftedIsFinishedLaterNeverUndone() {
        CutoverRecord sourceLifted = in(ROLLING_BACK).lifted();
        assertFalse(sourceLifted.fenceUp());
        assertEquals(RollbackRun.AfterFailure.FINISH_LATER, RollbackRun.afterFailure(sourceLifted));
    }

    @Test
    void whichCopyWinsCountsTheRollbacksEntries() {
        CutoverRecord completed = in(COMPLETED);
        CutoverRecord undone = completed.to(ROLLING_BACK, "").to(COMPLETED, "rollback failed");
        assertSame(undone, CutoverService.further(completed, undone), "an undone rollback is further than the COMPLETED it returned to");
    }

    // ---- helpers ----

    private static final Map<CutoverState, List<CutoverState>> PATH = new EnumMap<>(Map.ofEntries(
            Map.entry(ARMED, List.of()),
            Map.entry(WAITING_FOR_LAG, List.of(WAITING_FOR_LAG)),
            Map.entry(FENCING, List.of(WAITING_FOR_LAG, FENCING)),
            Map.entry(DRAINING, List.of(WAITING_FOR_LAG, FENCING, DRAINING)),
            Map.entry(SYNCING_SEQUENCES, List.of(WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES)),
            Map.entry(VERIFYING, List.of(WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, VERIFYING)),
            Map.entry(POSTPONED, List.of(WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, POSTPONED)),
            Map.entry(SWITCHING, List.of(WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, SWITCHING)),
            Map.entry(COMPLETED, List.of(WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, SWITCHING, COMPLETED)),
            Map.entry(ABORTED, List.of(WAITING_FOR_LAG, ABORTED)),
            Map.entry(FAILED, List.of(FAILED)),
            Map.entry(ROLLING_BACK, List.of(WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, SWITCHING, COMPLETED, ROLLING_BACK)),
            Map.entry(ROLLED_BACK, List.of(WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, SWITCHING, COMPLETED, ROLLING_BACK,
                    ROLLED_BACK)),
            Map.entry(FINISHED, List.of(WAITING_FOR_LAG, FENCING, DRAINING, SYNCING_SEQUENCES, SWITCHING, COMPLETED, FINISHED))));

    private static CutoverRecord in(CutoverState state) {
        return in(state, OPTIONS);
    }

    /** A record that reached {@code state} the way a cutover does (the fence up from FENCING on, lifted again by a rollback). */
    private static CutoverRecord in(CutoverState state, CutoverOptions options) {
        CutoverRecord r = CutoverRecord.armed("c1", options);
        List<CutoverState> steps = new ArrayList<>(PATH.get(state));
        for (CutoverState step : steps) {
            if (step == FENCING) {
                r = r.to(step, "").fenced(List.of("ALTER DATABASE \"db\" RESET default_transaction_read_only"));
            } else if (step == ROLLED_BACK) {
                r = r.lifted().to(step, "");
            } else {
                r = r.to(step, "");
            }
        }
        return r;
    }
}
