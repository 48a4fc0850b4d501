package io.greenlight.capture;

import io.greenlight.testing.TestConfig;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.kafka.TopicNames;
import io.greenlight.schema.TableId;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
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
        return TestConfig.minimal(extra);
    }
}
