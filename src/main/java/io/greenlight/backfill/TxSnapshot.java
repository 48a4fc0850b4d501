package io.greenlight.backfill;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A PostgreSQL MVCC snapshot as {@code pg_current_snapshot()} prints it ({@code xmin:xmax:xip,...}).
 * It tells which source transactions a copy taken at that snapshot already contains: a streamed
 * change of such a transaction must not be applied on top of the copy again.
 */
public record TxSnapshot(long xmin, long xmax, Set<Long> inProgress) {

    private static final long EPOCH = 1L << 32;

    public static TxSnapshot parse(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("Not a PostgreSQL snapshot (xmin:xmax:xip): " + text);
        }
        TreeSet<Long> xip = new TreeSet<>();
        for (String xid : parts[2].split(",")) {
            if (!xid.isBlank()) {
                xip.add(Long.parseLong(xid.trim()));
            }
        }
        return new TxSnapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Collections.unmodifiableSortedSet(xip));
    }

    /**
     * True when the transaction had committed for this snapshot. Takes a 32-bit xid (as pgoutput
     * sends it) or a full 64-bit one: the xid is widened to the epoch nearest the snapshot's xmax.
     */
    public boolean sees(long xid) {
        long low = xid & (EPOCH - 1);
        long full = (xmax & ~(EPOCH - 1)) | low;
        if (full - xmax > EPOCH / 2) {
            full -= EPOCH;
        } else if (xmax - full > EPOCH / 2) {
            full += EPOCH;
        }
        return full < xmin || (full < xmax && !inProgress.contains(full));
    }

    @Override
    public String toString() {
        return xmin + ":" + xmax + ":" + String.join(",", inProgress.stream().map(String::valueOf).toList());
    }
}
