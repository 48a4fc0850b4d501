package io.greenlight.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Decides whether capture may read the replication slot as it is now, given how far Greenlight
 * already replicated. A pure decision over (slot state, stored progress): callers read both.
 * A slot that vanished, or one that starts after the stored position, means PostgreSQL no longer
 * holds changes Greenlight has not captured yet; streaming on would skip them silently.
 */
public final class SlotGuard {

    /** The slot as pg_replication_slots shows it; LSNs as unsigned 64-bit numbers. */
    public record SlotState(long confirmedFlushLsn, long restartLsn) {

        /** Reads the slot from the source; empty when it does not exist. */
        public static Optional<SlotState> read(Connection connection, String slot) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement("SELECT (confirmed_flush_lsn - '0/0')::text, "
                    + "(restart_lsn - '0/0')::text FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new SlotState(unsigned(rs.getString(1)), unsigned(rs.getString(2))));
                }
            }
        }

        private static long unsigned(String numeric) {
            return numeric == null ? 0 : Long.parseUnsignedLong(numeric);
        }
    }

    /**
     * How far Greenlight replicated from the slot, and where that is recorded. {@code enginePosition}
     * is true for capture's own committed source offset: the slot is never confirmed past it, so a
     * slot that starts later was replaced. Otherwise {@code lsn} is the newest commit LSN apply has
     * applied every change up to (the lastCommitLsn of its watermarks): a slot confirmed past it
     * went on with changes that never reached the target.
     */
    public record StoredProgress(long lsn, String recordedIn, boolean enginePosition) {
    }

    /** Proceed (creating the slot on a first start), or refuse with the operator's message. */
    public record Decision(boolean proceed, boolean firstStart, String refusal) {
        static Decision go(boolean firstStart) {
            return new Decision(true, firstStart, null);
        }

        static Decision refuse(String message) {
            return new Decision(false, false, message);
        }
    }

    private SlotGuard() {
    }

    public static Decision decide(String slot, Optional<SlotState> state, Optional<StoredProgress> stored,
                                  boolean acceptGap) {
        if (stored.isEmpty()) {
            return Decision.go(state.isEmpty());
        }
        StoredProgress progress = stored.get();
        if (acceptGap) {
            return Decision.go(false);
        }
        if (state.isEmpty()) {
            return Decision.refuse(gone(slot, progress));
        }
        long start = state.get().confirmedFlushLsn();
        if (!progress.enginePosition() && Long.compareUnsigned(start, progress.lsn()) > 0) {
            // Capture flushes to the slot the commit LSN its streamed changes carry as lastCommitLsn: a slot
            // confirmed past the newest one applied went on with changes that were published but never applied.
            return Decision.refuse("Capture's source offsets are gone (an embedded broker's data-dir lost with its "
                    + "volume, or the offsets topic deleted), and replication slot " + slot + " continues after LSN "
                    + lsn(start) + ", beyond commit LSN " + lsn(progress.lsn()) + " that the target applied up to ("
                    + progress.recordedIn() + "): the changes committed between the two were published to Kafka but "
                    + "never applied, and are gone with capture's offsets. Greenlight refuses to start and skip them. "
                    + "Copy every table again: POST /tables/recopy (it forgets every stored position, copies each table at "
                    + "a fresh snapshot and streams on from there).");
        }
        if (progress.enginePosition() && Long.compareUnsigned(start, progress.lsn()) > 0) {
            return Decision.refuse("Replication slot " + slot + " starts at LSN " + lsn(start) + ", after LSN "
                    + lsn(progress.lsn()) + " that Greenlight replicated up to (" + progress.recordedIn() + "): "
                    + "it was dropped and recreated, or advanced, behind Greenlight's back, and the changes between "
                    + "the two are no longer in the source's WAL. Capture refuses to stream on and skip them. "
                    + remedies(slot));
        }
        return Decision.go(false);
    }

    /** The message for a slot that disappeared, at start or while capture was reading it. */
    public static String gone(String slot, StoredProgress progress) {
        return "Replication slot " + slot + " is gone but Greenlight has replicated from it up to LSN "
                + lsn(progress.lsn()) + " (" + progress.recordedIn() + "): changes after " + lsn(progress.lsn())
                + " are no longer in the source's WAL, and a new slot would skip them silently, so capture stops here. "
                + remedies(slot);
    }

    private static String remedies(String slot) {
        return "To start over: drop the target's tables and its greenlight_offsets and greenlight_schema tables, set a new "
                + "greenlight.kafka.topic-prefix (or delete the old topics), and restart Greenlight: it creates the slot "
                + "and snapshots again. To continue at your own risk (the target misses the changes in between; "
                + "run POST /verify afterwards): SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput'); "
                + "if the slot is missing, set greenlight.source.accept-slot-gap=true and restart Greenlight.";
    }

    /** PostgreSQL's text form of an LSN: high and low 32 bits in hex. */
    public static String lsn(long value) {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
