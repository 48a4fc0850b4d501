package io.greenlight.capture;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The slot decision over (slot state, stored progress); the real-server cases are in CaptureFaultsTest. */
class SlotGuardTest {

    private static final long LSN = 0x1_6B374D48L; // 1/6B374D48
    private static final Optional<SlotGuard.StoredProgress> KAFKA =
            Optional.of(new SlotGuard.StoredProgress(LSN, "capture's source offset in Kafka topic shop.__source-offsets", true));

    @Test
    void aFirstStartWithNoSlotAndNoStoredProgressProceedsAndCreatesTheSlot() {
        SlotGuard.Decision decision = SlotGuard.decide("greenlight", Optional.empty(), Optional.empty(), false);
        assertTrue(decision.proceed());
        assertTrue(decision.firstStart());
        assertNull(decision.refusal());
    }

    @Test
    void aSlotAtOrBehindTheStoredPositionResumes() {
        SlotGuard.Decision decision = SlotGuard.decide("greenlight", Optional.of(new SlotGuard.SlotState(LSN, LSN - 100)), KAFKA, false);
        assertTrue(decision.proceed());
        assertFalse(decision.firstStart());
        assertTrue(SlotGuard.decide("greenlight", Optional.of(new SlotGuard.SlotState(LSN - 5000, LSN - 9000)), KAFKA, false).proceed());
    }

    @Test
    void aMissingSlotWithStoredProgressIsRefusedNamingTheSlotPositionAndRemedies() {
        SlotGuard.Decision decision = SlotGuard.decide("greenlight", Optional.empty(), KAFKA, false);
        assertFalse(decision.proceed());
        assertTrue(decision.refusal().startsWith("Replication slot greenlight is gone but Greenlight has replicated from it up to LSN 1/6B374D48 "
                + "(capture's source offset in Kafka topic shop.__source-offsets)"), decision.refusal());
        assertTrue(decision.refusal().contains("To start over:"), decision.refusal());
        assertTrue(decision.refusal().contains("greenlight.source.accept-slot-gap=true"), decision.refusal());
    }

    @Test
    void aSlotThatStartsAfterCapturesStoredPositionIsRefusedAsRecreated() {
        SlotGuard.Decision decision = SlotGuard.decide("greenlight", Optional.of(new SlotGuard.SlotState(LSN + 1, LSN + 1)), KAFKA, false);
        assertFalse(decision.proceed());
        assertTrue(decision.refusal().startsWith("Replication slot greenlight starts at LSN 1/6B374D49, after LSN 1/6B374D48"),
                decision.refusal());
    }

    @Test
    void withoutCapturesOffsetsASlotConfirmedUpToTheNewestCommitApplyHasAppliedProceeds() {
        // The newest lastCommitLsn among apply's watermarks: capture confirms the slot at such commit LSNs.
        Optional<SlotGuard.StoredProgress> applied = Optional.of(new SlotGuard.StoredProgress(LSN, "the target's greenlight_offsets", false));
        assertTrue(SlotGuard.decide("greenlight", Optional.of(new SlotGuard.SlotState(LSN, LSN - 64)), applied, false).proceed());
        assertTrue(SlotGuard.decide("greenlight", Optional.of(new SlotGuard.SlotState(LSN - 64, LSN - 64)), applied, false).proceed());
        assertFalse(SlotGuard.decide("greenlight", Optional.empty(), applied, false).proceed());
    }

    @Test
    void withoutCapturesOffsetsASlotConfirmedPastWhatApplyAppliedIsRefusedAsChangesLostWithThem() {
        Optional<SlotGuard.StoredProgress> applied = Optional.of(new SlotGuard.StoredProgress(LSN, "the target's greenlight_offsets", false));
        SlotGuard.Decision decision = SlotGuard.decide("greenlight", Optional.of(new SlotGuard.SlotState(LSN + 64, LSN)), applied, false);
        assertFalse(decision.proceed());
        assertTrue(decision.refusal().startsWith("Capture's source offsets are gone"), decision.refusal());
        assertTrue(decision.refusal().contains("continues after LSN 1/6B374D88, beyond commit LSN 1/6B374D48 that the target "
                + "applied up to (the target's greenlight_offsets)"), decision.refusal());
        assertTrue(decision.refusal().contains("POST /tables/recopy"), decision.refusal());
    }

    @Test
    void acceptingTheGapLetsCaptureStartFromAMissingOrRecreatedSlot() {
        assertTrue(SlotGuard.decide("greenlight", Optional.empty(), KAFKA, true).proceed());
        assertTrue(SlotGuard.decide("greenlight", Optional.of(new SlotGuard.SlotState(LSN + 1, LSN)), KAFKA, true).proceed());
    }

    @Test
    void lsnsPrintAsPostgresWritesThem() {
        assertEquals("0/0", SlotGuard.lsn(0));
        assertEquals("1/6B374D48", SlotGuard.lsn(LSN));
        assertEquals("FFFFFFFF/FFFFFFFF", SlotGuard.lsn(-1L));
    }
}
