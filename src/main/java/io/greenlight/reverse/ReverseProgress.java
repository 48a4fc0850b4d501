package io.greenlight.reverse;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far reverse apply got: changes written, the newest heartbeat applied (reverse lag), the
 * markers seen (rollback's drain) and the last committed binlog offset.
 */
final class ReverseProgress {

    private final AtomicLong applied = new AtomicLong();
    private final Set<String> markers = ConcurrentHashMap.newKeySet();
    private volatile long newestBeatMs = -1;
    private volatile long startedMs = System.currentTimeMillis();
    private volatile Map<String, ?> offset;

    void applied(int changes, long beatMs, String marker, Map<String, ?> lastOffset) {
        applied.addAndGet(changes);
        if (beatMs > newestBeatMs) {
            newestBeatMs = beatMs;
        }
        if (marker != null) {
            markers.add(marker);
        }
        if (lastOffset != null) {
            offset = lastOffset;
        }
    }

    void restarted() {
        startedMs = System.currentTimeMillis();
        newestBeatMs = -1;
    }

    long changesApplied() {
        return applied.get();
    }

    boolean markerApplied(String marker) {
        return markers.contains(marker);
    }

    /** Now minus the newest heartbeat applied; before the first one, the time since the stream started (never 0 for no news). */
    double lagSeconds() {
        long beat = newestBeatMs;
        return (System.currentTimeMillis() - (beat >= 0 ? beat : startedMs)) / 1000.0;
    }

    Map<String, ?> offset() {
        return offset;
    }
}
