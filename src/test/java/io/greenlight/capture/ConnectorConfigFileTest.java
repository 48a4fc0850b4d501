package io.greenlight.capture;

import io.greenlight.testing.TestConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.config.InvalidConfigException;
import io.greenlight.kafka.TopicNames;
import io.greenlight.schema.TableId;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** connectors/: the embedded engine's properties file and the Kafka Connect configurations. */
class ConnectorConfigFileTest {

    private static final Path CONNECTORS = Path.of(System.getProperty("user.dir"), "connectors");
    private static final Path SHIPPED = CONNECTORS.resolve("debezium-postgres.properties");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theShippedFileIsAcceptedAndOverridesTheBuiltInTunables() throws IOException {
        assertEquals(List.of(), ConnectorConfigFile.problems(SHIPPED));
        Path tuned = Files.createTempFile("connector", ".properties");
        Files.writeString(tuned, Files.readString(SHIPPED) + "\nmax.batch.size=512\nerrors.max.retries=10\n");
        Properties built = properties(Map.of("greenlight.capture.connector-config", tuned.toString()));
        assertEquals("512", built.getProperty("max.batch.size"));
        assertEquals("10", built.getProperty("errors.max.retries"), "the file wins over the built-in value");
        assertEquals("false", built.getProperty("slot.drop.on.stop"));
        assertEquals("greenlight_slot", built.getProperty("slot.name"), "derived settings stay Greenlight's");
        assertEquals("-1", properties(Map.of()).getProperty("errors.max.retries"), "without a file the built-ins apply");
        Files.delete(tuned);
    }

    @Test
    void derivedSettingsAndSecretsAreRefusedWithTheKeyToSetInstead() throws IOException {
        Path bad = Files.createTempFile("connector", ".properties");
        Files.writeString(bad, "slot.name=other\ndatabase.password=hunter2\ndecimal.handling.mode=double\npoll.interval.ms=100\n");
        List<String> problems = ConnectorConfigFile.problems(bad);
        assertEquals(3, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("database.password") && problems.get(0).contains("GREENLIGHT_SOURCE_PASSWORD"), problems.get(0));
        assertTrue(problems.get(1).contains("decimal.handling.mode"), problems.get(1));
        assertTrue(problems.get(2).contains("slot.name") && problems.get(2).contains("greenlight.source.slot (GREENLIGHT_SOURCE_SLOT)"), problems.get(2));
        assertFalse(problems.toString().contains("hunter2"), "a refused secret is never echoed");
        InvalidConfigException refused = assertThrows(InvalidConfigException.class, () -> ConnectorConfigFile.load(bad));
        assertEquals(problems, refused.problems());
        Files.delete(bad);
        assertTrue(ConnectorConfigFile.problems(bad).get(0).startsWith("greenlight.capture.connector-config is '" + bad + "', but that file does not exist"));
    }

    @Test
    void connectSourceProducesTheTopicsAndEnvelopeApplyDecodes() throws IOException {
        JsonNode source = JSON.readTree(CONNECTORS.resolve("kafka-connect/postgres-source.json").toFile());
        JsonNode config = source.path("config");
        assertFalse(source.path("name").asText().isEmpty());
        Properties embedded = properties(Map.of());
        for (String key : List.of("connector.class", "plugin.name", "publication.autocreate.mode", "decimal.handling.mode",
                "time.precision.mode", "binary.handling.mode", "interval.handling.mode", "hstore.handling.mode",
                "tombstones.on.delete", "include.unknown.datatypes", "skipped.operations", "converters", "greenlight.type")) {
            assertEquals(embedded.getProperty(key), config.path(key).asText(), key + " must match the embedded engine's");
        }
        for (String converter : List.of("key.converter", "value.converter")) {
            assertEquals("org.apache.kafka.connect.json.JsonConverter", config.path(converter).asText());
            assertEquals("true", config.path(converter + ".schemas.enable").asText(), "apply decodes JSON with schema");
        }
        JsonNode sink = JSON.readTree(CONNECTORS.resolve("kafka-connect/mysql-jdbc-sink.json").toFile()).path("config");
        String table = new TopicNames(config.path("topic.prefix").asText()).table(new TableId("public", "orders"));
        assertTrue(Pattern.matches(sink.path("topics.regex").asText(), table), "the sink reads the source's topics");
        for (JsonNode connector : List.of(config, sink)) {
            connector.fields().forEachRemaining(e -> {
                if (e.getKey().contains("password")) {
                    assertTrue(e.getValue().asText().startsWith("${file:"), e.getKey() + " must come from a config provider");
                }
            });
        }
    }

    private static Properties properties(Map<String, String> extra) {
        return DebeziumProperties.of(config(extra), List.of(new TableId("public", "orders")), new TopicNames("shop"),
                "127.0.0.1:9092");
    }

    private static GreenlightConfig config(Map<String, String> extra) {
        return TestConfig.minimal(extra);
    }
}
