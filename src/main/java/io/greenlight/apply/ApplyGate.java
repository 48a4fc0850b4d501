package io.greenlight.apply;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Whether forward apply may write to the target. The cutover closes it: HELD while it switches
 * (nothing is consumed, a revert reopens it losing nothing), CLOSED once the target is the primary
 * (changes still captured from the old source are reported per table and key, never written).
 * HELD at start until the cutover history on the source was read.
 */
@ApplicationScoped
public class ApplyGate {

    private static final Logger LOG = Logger.getLogger(ApplyGate.class);
    /** Keys listed per table; the counter counts them all. */
    private static final int KEYS_KEPT = 20;

    public enum Mode { OPEN, HELD, CLOSED }

    /** Changes not applied because the target is the primary: count, first keys, and the first one's position. */
    public record Unapplied(String table, long changes, List<String> keys, String first) {
    }

    private final MeterRegistry registry;
    private final Map<String, Unapplied> unapplied = new ConcurrentSkipListMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Mode mode = Mode.HELD;
    private volatile String reason = "the cutover history on the source has not been read yet";

    public ApplyGate(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A gate that is always open (apply without a cutover, e.g. in tests of apply alone). */
    public static ApplyGate alwaysOpen() {
        ApplyGate gate = new ApplyGate(null);
        gate.mode = Mode.OPEN;
        gate.reason = null;
        return gate;
    }

    public Mode mode() {
        return mode;
    }

    /** Why the gate is not OPEN; null when it is. */
    public String reason() {
        return mode == Mode.OPEN ? null : reason;
    }

    public void open() {
        if (mode != Mode.OPEN) {
            LOG.infof("Forward apply writes to the target again (was %s: %s)", mode, reason);
        }
        mode = Mode.OPEN;
        reason = null;
    }

    public void hold(String why) {
        reason = why;
        mode = Mode.HELD;
        LOG.infof("Forward apply holds: %s", why);
    }

    public void close(String why) {
        reason = why;
        mode = Mode.CLOSED;
        LOG.warnf("Forward apply stopped for good: %s. Changes still captured from the source are reported, not applied.", why);
    }

    /** Transaction ids reverse apply committed on the old source, newest last (bounded). */
    private final Map<Long, Boolean> reverseTransactions = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                    return size() > 200_000;
                }
            });

    /**
     * Reverse replication committed transaction {@code xid} on the old source: forward capture sees
     * its changes come by, and they are the new primary's own, not late writes to report.
     */
    public void reverseWrote(long xid) {
        reverseTransactions.put(xid, Boolean.TRUE);
    }

    /** A change that reached Greenlight while the gate is CLOSED; {@code key} as in error messages. */
    void unapplied(Change change, String key) {
        if (change.table().schema().equals("greenlight")) {
            return; // Greenlight's own heartbeats
        }
        if (change.txId() != null && reverseTransactions.containsKey(change.txId())) {
            return; // written by reverse replication from the new primary
        }
        String table = change.table().toString();
        String where = change.op().label() + " " + key + " at " + change.coordinates();
        unapplied.compute(table, (t, seen) -> {
            if (seen == null) {
                LOG.errorf("A change reached the old source after the cutover completed and is NOT applied to the target "
                        + "(the new primary): %s. Reconcile it by hand; GET /status lists every such table and key.", where);
                return new Unapplied(t, 1, List.of(key), where);
            }
            List<String> keys = seen.keys();
            if (keys.size() < KEYS_KEPT && !keys.contains(key)) {
                keys = new ArrayList<>(keys);
                keys.add(key);
                keys = List.copyOf(keys);
            }
            return new Unapplied(t, seen.changes() + 1, keys, seen.first());
        });
        Counter counter = counter(table);
        if (counter != null) {
            counter.increment();
        }
    }

    /** Exports the table's counter at zero, so an alert can tell "none yet" from "not exported". */
    void track(io.greenlight.schema.TableId table) {
        if (!table.schema().equals("greenlight")) {
            counter(table.toString());
        }
    }

    private Counter counter(String table) {
        if (registry == null) {
            return null;
        }
        return counters.computeIfAbsent(table, t -> Counter.builder("greenlight.cutover.unapplied.changes")
                .description("Changes captured from the old source after the cutover completed, not applied to the target")
                .tag("table", t).register(registry));
    }

    public List<Unapplied> unappliedChanges() {
        return List.copyOf(unapplied.values());
    }
}
