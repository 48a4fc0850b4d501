package io.greenlight.connect;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Greenlight's apply as a Kafka Connect sink connector: tasks take the change topics' partitions
 * (one per table) and write them with Greenlight's apply semantics (see {@link GreenlightSinkTask}).
 * The connector itself prepares the target once, before any task runs: it refuses names and
 * values the target cannot hold and creates greenlight_offsets and the migrated tables.
 */
public final class GreenlightSinkConnector extends SinkConnector {

    static final String VERSION = "1";

    private static final Logger LOG = Logger.getLogger(GreenlightSinkConnector.class);

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        GreenlightSinkConfig config = new GreenlightSinkConfig(props);
        try (SinkEndpoints endpoints = SinkEndpoints.open(config, 1)) {
            endpoints.prepareTarget();
            LOG.infof("Greenlight sink prepared the %s target for %d table(s): %s", endpoints.dialect.name(),
                    endpoints.tables.size(), endpoints.tables.keySet());
        }
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return GreenlightSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return GreenlightSinkConfig.CONFIG_DEF;
    }

    /** ConfigDef's checks, and each required key that is not set named with what to set it to. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, String> missing = GreenlightSinkConfig.missing(connectorConfigs);
        for (ConfigValue value : config.configValues()) {
            String problem = missing.get(value.name());
            if (problem != null) {
                value.addErrorMessage(problem);
            }
            if (value.name().equals(GreenlightSinkConfig.TABLES)) {
                GreenlightSinkConfig.topicProblems(connectorConfigs).forEach(value::addErrorMessage);
            }
        }
        return config;
    }

    @Override
    public String version() {
        return VERSION;
    }
}
