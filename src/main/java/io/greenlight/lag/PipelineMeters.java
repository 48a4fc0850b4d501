package io.greenlight.lag;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pipeline's event counters, as Prometheus meters and as per-table totals for /status.
 * Counting never blocks the data path: meters are cached per (table, op).
 */
@ApplicationScoped
public class PipelineMeters {

    private final MeterRegistry registry;
    private final Map<String, Counter> captured = new ConcurrentHashMap<>();
    private final Map<String, Counter> applied = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> capturedByTable = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> appliedByTable = new ConcurrentHashMap<>();
    private final Counter applyErrors;

    public PipelineMeters(MeterRegistry registry) {
        this.registry = registry;
        this.applyErrors = Counter.builder("cdc.apply.errors")
                .description("Failed attempts to write a batch to the target").register(registry);
    }

    public void captured(String table, String op, long count) {
        counter(captured, "cdc.events.captured", "Change events published to Kafka", table, op).increment(count);
        capturedByTable.computeIfAbsent(table, t -> new LongAdder()).add(count);
    }

    public void applied(String table, String op, long count) {
        counter(applied, "cdc.events.applied", "Change events committed to the target", table, op).increment(count);
        appliedByTable.computeIfAbsent(table, t -> new LongAdder()).add(count);
    }

    public void applyError() {
        applyErrors.increment();
    }

    public double applyErrors() {
        return applyErrors.count();
    }

    /** Per table: {captured, applied} since this process started. */
    public Map<String, long[]> tableTotals() {
        Map<String, long[]> totals = new TreeMap<>();
        capturedByTable.forEach((t, n) -> totals.computeIfAbsent(t, k -> new long[2])[0] = n.sum());
        appliedByTable.forEach((t, n) -> totals.computeIfAbsent(t, k -> new long[2])[1] = n.sum());
        return totals;
    }

    private Counter counter(Map<String, Counter> cache, String name, String description, String table, String op) {
        return cache.computeIfAbsent(table + '\u0000' + op, k -> Counter.builder(name).description(description)
                .tag("table", table).tag("op", op).register(registry));
    }
}
