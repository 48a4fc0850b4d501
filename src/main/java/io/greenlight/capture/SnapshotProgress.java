package io.greenlight.capture;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Set;

/** Reads the PostgreSQL connector's own JMX metrics to tell snapshot from streaming. */
public final class SnapshotProgress {

    private final String topicPrefix;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    public SnapshotProgress(String topicPrefix) {
        this.topicPrefix = topicPrefix;
    }

    /** True once the initial snapshot has finished, or when none was needed (streaming has connected). */
    public boolean snapshotDone() {
        return attribute("snapshot", "SnapshotCompleted") || attribute("streaming", "Connected");
    }

    public boolean snapshotRunning() {
        return attribute("snapshot", "SnapshotRunning");
    }

    private boolean attribute(String context, String name) {
        try {
            Set<ObjectName> names = server.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context="
                    + context + ",server=" + ObjectName.quote(topicPrefix) + ",*"), null);
            if (names.isEmpty()) {
                names = server.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context="
                        + context + ",server=" + topicPrefix + ",*"), null);
            }
            for (ObjectName objectName : names) {
                if (Boolean.TRUE.equals(server.getAttribute(objectName, name))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
