package io.greenlight.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ConnectWorker} as its own JVM ({@link ChildWorker} starts it): args are the worker id,
 * group, bootstrap servers, plugin.path (empty for none), then connector files
 * ({"name": ..., "config": {...}}) it creates once it runs. It prints its connectors' states every
 * two seconds and runs until killed.
 */
public final class ConnectWorkerMain {

    private ConnectWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> extra = new HashMap<>();
        if (!args[3].isEmpty()) {
            extra.put("plugin.path", args[3]);
        }
        ConnectWorker worker = ConnectWorker.start(args[0], args[1], args[2], extra);
        System.out.println("WORKER READY " + args[0]);
        List<String> connectors = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (int i = 4; i < args.length; i++) {
            JsonNode file = json.readTree(Path.of(args[i]).toFile());
            Map<String, String> config = new HashMap<>();
            file.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            String name = file.path("name").asText();
            worker.putConnector(name, config);
            connectors.add(name);
            System.out.println("CONNECTOR CREATED " + name);
        }
        while (true) {
            Thread.sleep(2000);
            for (String name : connectors) {
                try {
                    ConnectorStateInfo status = worker.status(name);
                    StringBuilder line = new StringBuilder("STATUS " + name + " " + status.connector().state());
                    for (ConnectorStateInfo.TaskState task : status.tasks()) {
                        line.append(" task-").append(task.id()).append('=').append(task.state());
                        if (task.trace() != null) {
                            line.append(" TRACE ").append(task.trace().replace('\n', ' '));
                        }
                    }
                    System.out.println(line);
                } catch (Exception e) {
                    System.out.println("STATUS " + name + " unknown: " + e.getMessage());
                }
            }
        }
    }
}
