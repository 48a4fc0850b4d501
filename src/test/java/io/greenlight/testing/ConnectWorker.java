package io.greenlight.testing;

import org.apache.kafka.clients.CommonClientConfigs;
import org.awaitility.Awaitility;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.Worker;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.errors.BadRequestException;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.KafkaConfigBackingStore;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.storage.KafkaStatusBackingStore;
import org.apache.kafka.connect.storage.StatusBackingStore;
import org.apache.kafka.connect.util.ConnectUtils;
import org.apache.kafka.connect.util.FutureCallback;
import org.apache.kafka.connect.util.SharedTopicAdmin;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One Kafka Connect worker in distributed mode, in this JVM: the parts ConnectDistributed
 * assembles (worker, Kafka-backed config, offset and status stores, DistributedHerder), without
 * its REST server (Greenlight's classpath has no Jersey/Jetty). Workers started with the same
 * group form one cluster. Connectors are created through the worker that leads the group (the
 * first one started): a follower would forward the request over REST.
 */
public final class ConnectWorker implements AutoCloseable {

    private final String id;
    private final DistributedHerder herder;

    private ConnectWorker(String id, DistributedHerder herder) {
        this.id = id;
        this.herder = herder;
    }

    public static ConnectWorker start(String id, String group, String bootstrap) {
        return start(id, group, bootstrap, Map.of());
    }

    /** A worker with {@code extra} worker settings on top of the test defaults (e.g. plugin.path). */
    public static ConnectWorker start(String id, String group, String bootstrap, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", group);
        props.put("config.storage.topic", group + "-configs");
        props.put("offset.storage.topic", group + "-offsets");
        props.put("status.storage.topic", group + "-status");
        props.put("config.storage.replication.factor", "1");
        props.put("offset.storage.replication.factor", "1");
        props.put("status.storage.replication.factor", "1");
        props.put("offset.storage.partitions", "1");
        props.put("status.storage.partitions", "1");
        props.put("key.converter", JsonConverter.class.getName());
        props.put("value.converter", JsonConverter.class.getName());
        // Connectors from the classpath's ServiceLoader manifests: scanning Greenlight's test classpath takes minutes.
        props.put("plugin.discovery", "service_load");
        props.put("offset.flush.interval.ms", "1000");
        // A worker that left is replaced at once (default: its tasks wait 5 minutes for it to come back).
        props.put("scheduled.rebalance.max.delay.ms", "0");
        props.put("task.shutdown.graceful.timeout.ms", "20000");
        props.put("connector.client.config.override.policy", "All");
        props.put("metadata.max.age.ms", "1000");
        props.put("listeners", "http://127.0.0.1:0");
        // A worker that died (kill -9) is noticed by the group after this long: its tasks then move.
        props.put("session.timeout.ms", "6000");
        props.put("heartbeat.interval.ms", "1500");
        props.putAll(extra);

        Plugins plugins = new Plugins(props);
        if (props.containsKey("plugin.path")) {
            // As ConnectDistributed does: the worker's threads resolve plugin classes (a transform's type) through Connect's loader.
            plugins.compareAndSwapWithDelegatingLoader();
        }
        DistributedConfig config = new DistributedConfig(props);
        String clusterId = config.kafkaClusterId();
        String clientIdBase = ConnectUtils.clientIdBase(config) + id + "-";
        Map<String, Object> adminProps = new HashMap<>(config.originals());
        ConnectUtils.addMetricsContextProperties(adminProps, config, clusterId);
        adminProps.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientIdBase + "shared-admin");
        SharedTopicAdmin admin = new SharedTopicAdmin(adminProps);
        ConnectorClientConfigOverridePolicy overrides = new AllConnectorClientConfigOverridePolicy();
        KafkaOffsetBackingStore offsets = new KafkaOffsetBackingStore(admin, () -> clientIdBase,
                plugins.newInternalConverter(true, JsonConverter.class.getName(), Map.of("schemas.enable", "false")));
        offsets.configure(config);
        Worker worker = new Worker(id, Time.SYSTEM, plugins, config, offsets, overrides);
        Converter internal = worker.getInternalValueConverter();
        StatusBackingStore status = new KafkaStatusBackingStore(Time.SYSTEM, internal, admin, clientIdBase);
        status.configure(config);
        KafkaConfigBackingStore configs = new KafkaConfigBackingStore(internal, config, worker.configTransformer(), admin,
                clientIdBase);
        DistributedHerder herder = new DistributedHerder(config, Time.SYSTEM, worker, clusterId, status, configs,
                "http://" + id + ":8083/", null, overrides, List.of(), admin);
        herder.start();
        ConnectWorker started = new ConnectWorker(id, herder);
        Awaitility.await("Connect worker " + id + " joined group " + group).atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200)).until(herder::isReady);
        return started;
    }

    public String id() {
        return id;
    }

    /** Creates or replaces a connector; retried while the group is still electing or rebalancing. */
    public void putConnector(String name, Map<String, String> config) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        Map<String, String> named = new HashMap<>(config);
        named.put("name", name);
        while (true) {
            FutureCallback<Object> done = new FutureCallback<>();
            herder.putConnectorConfig(name, named, true, (error, result) -> done.onCompletion(error, result));
            try {
                done.get(60, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline || e.getCause() instanceof BadRequestException || e.getCause() instanceof Error) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    public void deleteConnector(String name) throws Exception {
        FutureCallback<Object> done = new FutureCallback<>();
        herder.deleteConnectorConfig(name, (error, result) -> done.onCompletion(error, result));
        done.get(60, TimeUnit.SECONDS);
    }

    /** The connector's and its tasks' states and workers, as the status topic holds them. */
    public ConnectorStateInfo status(String connector) {
        return herder.connectorStatus(connector);
    }

    /** Stops the worker: it leaves the group and its connectors and tasks move to the workers left. */
    @Override
    public void close() {
        herder.stop();
    }
}
