import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Summarises a JFR recording for the benchmark notes: top methods by CPU samples (self and
 * inclusive) and by sampled allocation, optionally only between two epoch-second instants.
 *   [JFR_THREAD=name-part] java bench/tools/JfrTop.java rec.jfr [fromEpochS toEpochS] [top]
 */
public final class JfrTop {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        double from = args.length > 2 ? Double.parseDouble(args[1]) : 0;
        double to = args.length > 2 ? Double.parseDouble(args[2]) : Double.MAX_VALUE;
        int top = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> allocSite = new HashMap<>();
        Map<String, Long> allocInclusive = new HashMap<>();
        String only = System.getenv("JFR_THREAD"); // only threads whose name contains this
        long samples = 0;
        long allocated = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            Instant t = e.getStartTime();
            double s = t.getEpochSecond() + t.getNano() / 1e9;
            if (s < from || s > to) {
                continue;
            }
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample")) {
                String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
                if (only != null && (thread == null || !thread.contains(only))) {
                    continue;
                }
                samples++;
                threads.merge(thread == null ? "?" : thread.replaceAll("[0-9]+", "N"), 1L, Long::sum);
                walk(e.getStackTrace(), 1, self, inclusive);
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long w = e.getLong("weight");
                allocated += w;
                walk(e.getStackTrace(), w, allocSite, allocInclusive);
            }
        }
        System.out.printf("CPU samples: %d%n", samples);
        print("threads (CPU samples)", threads, samples, top);
        print("self (CPU samples)", self, samples, top);
        print("inclusive (CPU samples)", inclusive, samples, top);
        System.out.printf("%nsampled allocation: %.1f MiB%n", allocated / 1048576.0);
        print("allocation by site (bytes)", allocSite, allocated, top);
        print("allocation inclusive (bytes)", allocInclusive, allocated, top);
    }

    private static void walk(RecordedStackTrace trace, long weight, Map<String, Long> self, Map<String, Long> inclusive) {
        if (trace == null) {
            return;
        }
        List<RecordedFrame> frames = trace.getFrames();
        if (frames.isEmpty()) {
            return;
        }
        self.merge(name(frames.get(0)), weight, Long::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
            String n = name(f);
            if (seen.add(n)) {
                inclusive.merge(n, weight, Long::sum);
            }
        }
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Long> counts, long total, int top) {
        System.out.printf("%n## %s%n", title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf("%6.1f%%  %s%n", 100.0 * en.getValue() / Math.max(1, total), en.getKey()));
    }
}
