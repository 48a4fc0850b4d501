package io.greenlight;

import io.greenlight.apply.ApplyLoop;
import io.greenlight.apply.BatchWriter;
import io.greenlight.capture.CaptureEngine;
import io.greenlight.capture.HeartbeatWriter;
import io.greenlight.capture.SnapshotProgress;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The parts of one run of a data path, closed in the reverse order of their start: the
 * heartbeat and capture stop first (nothing new enters Kafka), then the producer, apply,
 * retention and dead letters. A part whose close throws is logged and does not keep the parts
 * started before it running. The pools, the broker and the slot outlive a run. Both directions
 * run in one: forward (assembled by PipelineAssembler) and reverse after a switch
 * (io.greenlight.reverse.ReverseReplication: its pool, apply, capture and heartbeat).
 */
public final class RunningPipeline implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RunningPipeline.class);
    static final String CAPTURE = "capture";

    private record Part(String name, AutoCloseable close) {
    }

    private final Deque<Part> parts = new ArrayDeque<>();
    private volatile CaptureEngine capture;
    private volatile ApplyLoop apply;
    private volatile Thread applyThread;
    private volatile HeartbeatWriter heartbeat;
    private volatile BatchWriter writer;
    private volatile SnapshotProgress snapshot;

    /** Records a started part; {@code close} stops it. Returns {@code part}. */
    public synchronized <T> T started(String name, T part, AutoCloseable close) {
        parts.push(new Part(name, close));
        return part;
    }

    /** Closes every part still running, the last started first. */
    @Override
    public void close() {
        while (true) {
            Part part;
            synchronized (this) {
                part = parts.poll();
            }
            if (part == null) {
                return;
            }
            closePart(part);
        }
    }

    /** Stops capture alone (its slot is gone); false when it was not running. */
    boolean closeCapture() {
        Part part = null;
        synchronized (this) {
            for (Part p : parts) {
                if (p.name().equals(CAPTURE)) {
                    part = p;
                }
            }
            if (part == null) {
                return false;
            }
            parts.remove(part);
            capture = null;
        }
        closePart(part);
        return true;
    }

    private static void closePart(Part part) {
        try {
            part.close().close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("Stopping %s was interrupted; stopping the others", part.name());
        } catch (Exception e) {
            LOG.warnf(e, "Stopping %s failed; stopping the others", part.name());
        }
    }

    public void capture(CaptureEngine engine) {
        capture = started(CAPTURE, engine, engine);
    }

    /** Apply runs on {@code thread}, started by {@link #startApply} once any backfill is done. */
    void apply(ApplyLoop loop, Thread thread) {
        applyThread = thread;
        apply = started("apply", loop, () -> {
            loop.close();
            join(thread);
        });
    }

    public void heartbeat(HeartbeatWriter writer) {
        heartbeat = started("heartbeat", writer, writer);
    }

    void writer(BatchWriter batchWriter) {
        writer = batchWriter;
    }

    void snapshot(SnapshotProgress progress) {
        snapshot = progress;
    }

    void startApply() {
        applyThread.start();
    }

    ApplyLoop apply() {
        return apply;
    }

    BatchWriter writer() {
        return writer;
    }

    SnapshotProgress snapshot() {
        return snapshot;
    }

    public HeartbeatWriter heartbeat() {
        return heartbeat;
    }

    public boolean captureRunning() {
        CaptureEngine c = capture;
        return c != null && c.isRunning();
    }

    boolean applyRunning() {
        ApplyLoop a = apply;
        return a != null && a.isRunning();
    }

    static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
