package io.greenlight.lag;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    private final Map<String, Counter> backfill = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> capturedByTable = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> appliedByTable = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> tablePaused = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
    private final Counter applyErrors;
    private final java.util.List<io.micrometer.core.instrument.Meter> gauges = new java.util.ArrayList<>();
    private final Timer applyBatch;
    private final AtomicLong consumerLagRecords = new AtomicLong();
    private final AtomicLong slotLagBytes = new AtomicLong(-1);
    private final AtomicInteger backfillWaiting = new AtomicInteger();
    private final Counter backfillWaited;

    public PipelineMeters(MeterRegistry registry, LagTracker lag) {
        this.registry = registry;
        this.applyErrors = Counter.builder("cdc.apply.errors")
                .description("Failed attempts to write a batch to the target").register(registry);
        this.backfillWaited = Counter.builder("greenlight.backfill.waited.seconds")
                .description("Time the initial load waited for a strained source (adaptive throttling)").register(registry);
        gauges.add(Gauge.builder("greenlight.backfill.waiting", backfillWaiting, AtomicInteger::get)
                .description("1 while the initial load waits for a strained source (adaptive throttling)").register(registry));
        this.applyBatch = Timer.builder("cdc.apply.batch").description("Time to write one batch and its offsets to the target")
                .publishPercentileHistogram().register(registry);
        gauges.add(Gauge.builder("cdc.lag.seconds", lag, LagTracker::endToEndSeconds)
                .description("Now minus the source commit time up to which every change is applied to the target").register(registry));
        gauges.add(Gauge.builder("cdc.capture.lag.seconds", lag, LagTracker::captureSeconds)
                .description("Now minus the newest source commit time published to Kafka").register(registry));
        gauges.add(Gauge.builder("cdc.apply.lag.seconds", lag, LagTracker::applySeconds)
                .description("How far the target trails what capture published, in source time").register(registry));
        gauges.add(Gauge.builder("cdc.clock.skew.seconds", lag, LagTracker::skewSeconds)
                .description("Source clock minus Greenlight's clock (corrected for in lag)").register(registry));
        gauges.add(Gauge.builder("cdc.kafka.consumer.lag.records", consumerLagRecords, AtomicLong::get)
                .description("Records in Kafka not yet consumed by apply").register(registry));
        gauges.add(Gauge.builder("cdc.replication.slot.lag.bytes", slotLagBytes, AtomicLong::get)
                .description("WAL bytes between the source's current position and the slot's confirmed flush position")
                .register(registry));
    }

    /** Gauges read this instance's state: remove them with it (a registry can outlive the application in tests). */
    @PreDestroy
    void removeGauges() {
        gauges.forEach(registry::remove);
    }

    public Timer applyBatch() {
        return applyBatch;
    }

    public void consumerLagRecords(long records) {
        consumerLagRecords.set(records);
    }

    public long consumerLagRecords() {
        return consumerLagRecords.get();
    }

    public void slotLagBytes(long bytes) {
        slotLagBytes.set(bytes);
    }

    public long slotLagBytes() {
        return slotLagBytes.get();
    }

    public void captured(String table, String op, long count) {
        counter(captured, "cdc.events.captured", "Change events published to Kafka", table, op).increment(count);
        capturedByTable.computeIfAbsent(table, t -> new LongAdder()).add(count);
    }

    public void applied(String table, String op, long count) {
        counter(applied, "cdc.events.applied", "Change events committed to the target", table, op).increment(count);
        appliedByTable.computeIfAbsent(table, t -> new LongAdder()).add(count);
    }

    /**
     * Rows the backfill (initial load) committed to the target: greenlight_backfill_rows_total{table},
     * and, as Debezium's snapshot would have counted them, captured and applied with op "read", so
     * dashboards and /status read the same whichever snapshot mode ran.
     */
    public void backfillRows(String table, long count) {
        backfill.computeIfAbsent(table, t -> Counter.builder("greenlight.backfill.rows")
                .description("Rows the initial load (backfill) committed to the target").tag("table", t)
                .register(registry)).increment(count);
        captured(table, "read", count);
        applied(table, "read", count);
    }

    /** greenlight_backfill_waiting: 1 while the copy waits for a strained source (adaptive throttling). */
    public void backfillWaiting(boolean waiting) {
        backfillWaiting.set(waiting ? 1 : 0);
    }

    /** greenlight_backfill_waited_seconds_total: time the copy spent waiting for a strained source. */
    public void backfillWaited(double seconds) {
        backfillWaited.increment(seconds);
    }

    public void applyError() {
        applyErrors.increment();
    }

    public double applyErrors() {
        return applyErrors.count();
    }

    /** greenlight_table_paused{table}: 1 while apply of the table is paused at a change the target cannot take. */
    public synchronized void tablePaused(String table, boolean paused) {
        tablePaused.computeIfAbsent(table, t -> {
            AtomicInteger value = new AtomicInteger();
            gauges.add(Gauge.builder("greenlight.table.paused", value, AtomicInteger::get).tag("table", t)
                    .description("1 while apply of the table is paused at a change the target cannot take").register(registry));
            return value;
        }).set(paused ? 1 : 0);
    }

    /** greenlight_dead_letter_events_total{table}: changes written to the dead-letter topic instead of the target. */
    public void deadLettered(String table) {
        deadLetterCounter(table).increment();
    }

    /** Registers the table's series at 0, so dashboards and alerts see it before the first dead letter. */
    public Counter deadLetterCounter(String table) {
        return deadLettered.computeIfAbsent(table, t -> Counter.builder("greenlight.dead.letter.events").tag("table", t)
                .description("Changes the target could not take, written to the dead-letter topic instead")
                .register(registry));
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
