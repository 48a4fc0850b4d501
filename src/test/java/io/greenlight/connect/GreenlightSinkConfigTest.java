package io.greenlight.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.connector.postgresql.PostgresConnector;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.runtime.SinkConnectorConfig;
import org.apache.kafka.connect.runtime.SourceConnectorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink connector's typed config, and the connector configs shipped in connectors/kafka-connect. */
class GreenlightSinkConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CONNECTORS = Path.of("connectors", "kafka-connect");

    @Test
    void aMissingRequiredKeyIsNamedWithWhatToSetItTo() {
        Map<String, String> props = valid();
        props.remove("target.url");
        ConfigException e = assertThrows(ConfigException.class, () -> new GreenlightSinkConfig(props));
        assertEquals("target.url is not set. Set it to jdbc:mysql://HOST:3306/DB or jdbc:postgresql://HOST:5432/DB.",
                e.getMessage());
    }

    @Test
    void validateReportsEachProblemOnItsKey() {
        Map<String, String> props = valid();
        props.put("target.url", "jdbc:oracle:thin:@db:1521/x?password=hunter2");
        props.remove("tables");
        props.put("apply.on-error", "skip");
        Map<String, List<String>> errors = errors(props);
        assertTrue(errors.get("target.url").get(0).contains("must be a JDBC URL starting with jdbc:mysql:, jdbc:mariadb:, "
                + "jdbc:postgresql:"), errors::toString);
        assertFalse(errors.toString().contains("hunter2"), "a password in a URL is never echoed");
        assertTrue(errors.get("tables").get(0).startsWith("tables is not set. Set it to the migrated tables"), errors::toString);
        assertTrue(errors.get("apply.on-error").get(0).contains("pause-table, stop-pipeline"), errors::toString);
        assertEquals(3, errors.size(), errors::toString);
    }

    @Test
    void tablesAndTopicsMustMatchUnderTheTopicPrefix() {
        Map<String, String> props = valid();
        props.put("topic.prefix", "shop");
        props.put("tables", "public.orders,public.customers");
        props.put("topics", "shop.public.orders,shop.public.invoices");
        List<String> tables = errors(props).get("tables");
        assertEquals(List.of("tables lists public.customers, whose changes are in topic shop.public.customers, but topics "
                        + "does not include it. Add shop.public.customers to topics, or check topic.prefix.",
                "topics includes shop.public.invoices, which holds no table of tables (topic.prefix shop). Add its table "
                        + "to tables or remove the topic from topics."), tables);
        props.put("topics", "shop.public.orders,shop.public.customers");
        assertEquals(Map.of(), errors(props));
    }

    @Test
    void passwordsAreHiddenInTheParsedConfig() {
        Map<String, String> props = valid();
        props.put("source.password", "hunter2");
        props.put("target.password", "hunter3");
        GreenlightSinkConfig config = new GreenlightSinkConfig(props);
        assertEquals(ConfigDef.Type.PASSWORD, GreenlightSinkConfig.CONFIG_DEF.configKeys().get("target.password").type);
        assertFalse(config.values().toString().contains("hunter"), config.values()::toString);
        assertEquals("hunter3", config.targetPassword().orElseThrow());
    }

    @Test
    void theShippedSinkConfigIsValidAndUsesOnlyKeysTheConnectorsDefine() throws Exception {
        Map<String, String> sink = config("greenlight-sink.json");
        assertEquals(GreenlightSinkConnector.class.getName(), sink.get("connector.class"));
        assertEquals(Map.of(), errors(sink));
        List<String> unknown = unknownKeys(sink, GreenlightSinkConfig.CONFIG_DEF, SinkConnectorConfig.configDef());
        unknown.removeIf(key -> key.startsWith("consumer.override."));
        assertEquals(List.of(), unknown);
        assertEquals("org.apache.kafka.connect.converters.ByteArrayConverter", sink.get("value.converter"));
    }

    @Test
    void theShippedSourceConfigUsesOnlyKeysTheDebeziumConnectorDefines() throws Exception {
        Map<String, String> source = config("postgres-source.json");
        List<String> unknown = unknownKeys(source, new PostgresConnector().config(), SourceConnectorConfig.configDef());
        // Per-converter settings (converters=greenlight) and topic creation groups are prefixes Connect and Debezium pass on.
        unknown.removeIf(key -> key.startsWith("greenlight.") || key.startsWith("topic.creation.")
                || key.startsWith("key.converter.") || key.startsWith("value.converter."));
        // Greenlight's DDL transform: its class and the keys it defines.
        String transform = "transforms." + source.get("transforms") + ".";
        assertEquals(DdlMessageRouter.class.getName(), source.get(transform + "type"));
        unknown.removeIf(key -> key.equals(transform + "type") || key.startsWith(transform)
                && DdlMessageRouter.CONFIG_DEF.configKeys().containsKey(key.substring(transform.length())));
        assertEquals(List.of(), unknown);
        Map<String, String> sink = config("greenlight-sink.json");
        assertEquals(source.get("topic.prefix"), sink.get("topic.prefix"), "the sink reads the source's topics");
        for (String table : sink.get("tables").split(",")) {
            assertTrue(sink.get("topics").contains(source.get("topic.prefix") + "." + table),
                    table + " is read from its topic");
        }
    }

    private static List<String> unknownKeys(Map<String, String> config, ConfigDef... defs) {
        List<String> unknown = new ArrayList<>();
        for (String key : config.keySet()) {
            boolean known = false;
            for (ConfigDef def : defs) {
                known |= def.configKeys().containsKey(key);
            }
            if (!known) {
                unknown.add(key);
            }
        }
        return unknown;
    }

    private static Map<String, List<String>> errors(Map<String, String> props) {
        return new GreenlightSinkConnector().validate(props).configValues().stream()
                .filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    private static Map<String, String> config(String file) throws Exception {
        JsonNode config = JSON.readTree(CONNECTORS.resolve(file).toFile()).path("config");
        Map<String, String> map = new HashMap<>();
        config.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static Map<String, String> valid() {
        Map<String, String> props = new HashMap<>();
        props.put("source.url", "jdbc:postgresql://127.0.0.1:5432/shop");
        props.put("source.username", "greenlight");
        props.put("target.url", "jdbc:mysql://127.0.0.1:3306/shop");
        props.put("target.username", "greenlight");
        props.put("tables", "public.orders");
        return props;
    }
}
