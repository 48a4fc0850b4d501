package io.greenlight.capture;

import io.greenlight.config.GreenlightConfig;
import io.greenlight.kafka.TopicNames;
import io.greenlight.schema.TableId;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Where the embedded engine keeps its source position, by where Kafka runs. */
class DebeziumPropertiesTest {

    @Test
    void withTheEmbeddedBrokerSourceOffsetsLiveInAFileInTheDataDir() {
        Properties p = properties(Map.of("greenlight.data-dir", "/var/lib/greenlight"));
        assertEquals("org.apache.kafka.connect.storage.FileOffsetBackingStore", p.getProperty("offset.storage"));
        assertEquals(Path.of("/var/lib/greenlight", "source-offsets.dat").toString(),
                p.getProperty("offset.storage.file.filename"));
        assertNull(p.getProperty("offset.storage.topic"));
        assertFalse(p.containsKey("bootstrap.servers"));
    }

    @Test
    void withAnExternalKafkaSourceOffsetsLiveInItsCompactedTopic() {
        Properties p = properties(Map.of("greenlight.kafka.bootstrap-servers", "kafka:9092",
                "greenlight.kafka.replication-factor", "3"));
        assertEquals("org.apache.kafka.connect.storage.KafkaOffsetBackingStore", p.getProperty("offset.storage"));
        assertEquals("shop.__source-offsets", p.getProperty("offset.storage.topic"));
        assertEquals("3", p.getProperty("offset.storage.replication.factor"));
        assertEquals("kafka:9092", p.getProperty("bootstrap.servers"));
        assertNull(p.getProperty("offset.storage.file.filename"));
    }

    private static Properties properties(Map<String, String> extra) {
        GreenlightConfig config = config(extra);
        return DebeziumProperties.of(config, List.of(new TableId("public", "orders")), new TopicNames("shop"),
                config.kafka().bootstrapServers().orElse("127.0.0.1:9092"));
    }

    private static GreenlightConfig config(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                "greenlight.source.url", "jdbc:postgresql://db:5432/shop",
                "greenlight.source.username", "greenlight",
                "greenlight.source.slot", "greenlight_slot",
                "greenlight.target.url", "jdbc:mysql://db:3306/shop",
                "greenlight.target.username", "greenlight"));
        values.putAll(extra);
        return new SmallRyeConfigBuilder().withMapping(GreenlightConfig.class).withDefaultValues(values)
                .withConverter(Duration.class, 200, new DurationConverter()).build()
                .getConfigMapping(GreenlightConfig.class);
    }
}
