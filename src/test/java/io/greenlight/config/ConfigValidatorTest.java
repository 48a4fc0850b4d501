package io.greenlight.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up validation of the typed config: each problem names its key and how to fix it. */
class ConfigValidatorTest {

    private static final Map<String, String> VALID = Map.of(
            "greenlight.source.url", "jdbc:postgresql://db:5432/shop",
            "greenlight.source.username", "replicator",
            "greenlight.source.password", "s3cret-source",
            "greenlight.target.url", "jdbc:mysql://mysql:3306/shop",
            "greenlight.target.username", "writer",
            "greenlight.target.password", "s3cret-target");

    @Test
    void completeConfigIsAccepted() {
        assertDoesNotThrow(() -> ConfigValidator.validate(config(VALID)));
    }

    @Test
    void defaultsMatchTheDesign() {
        GreenlightConfig config = config(VALID);
        assertEquals(2.0, config.cutover().maxLagSeconds());
        assertEquals(java.time.Duration.ofSeconds(1), config.heartbeat().interval());
        assertEquals("greenlight", config.source().slot());
        assertTrue(config.kafka().bootstrapServers().isEmpty(), "unset bootstrap servers select the embedded broker");
    }

    @Test
    void controlPlaneModeWithoutBootstrapServersIsRefusedNamingTheKeyToSet() {
        Map<String, String> props = new HashMap<>(VALID);
        props.put("greenlight.mode", "control-plane");
        InvalidConfigException e = invalid(props);
        assertTrue(e.problems().get(0).contains("set greenlight.kafka.bootstrap-servers (or GREENLIGHT_KAFKA_BOOTSTRAP_SERVERS)"),
                e.problems().toString());
        props.put("greenlight.kafka.bootstrap-servers", "kafka:9092");
        GreenlightConfig config = config(props);
        assertDoesNotThrow(() -> ConfigValidator.validate(config));
        assertEquals(GreenlightConfig.Mode.CONTROL_PLANE, config.mode());
        assertEquals(GreenlightConfig.Mode.PIPELINE, config(VALID).mode(), "a pipeline of its own by default");
    }

    @Test
    void missingSourceUrlIsNamedWithItsEnvVarAndExample() {
        InvalidConfigException e = invalid(without("greenlight.source.url"));
        assertEquals("greenlight.source.url is not set. Set it (or GREENLIGHT_SOURCE_URL) to jdbc:postgresql://HOST:5432/DB.",
                e.problems().get(0));
    }

    @Test
    void everyMissingRequiredKeyIsReportedAtOnce() {
        InvalidConfigException e = invalid(Map.of());
        assertEquals(4, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("greenlight.source.username"));
        assertTrue(e.getMessage().contains("greenlight.target.url"));
        assertTrue(e.getMessage().contains("greenlight.target.username"));
    }

    @Test
    void targetUrlOfAnUnsupportedEngineIsRefusedWithoutEchoingCredentials() {
        Map<String, String> props = new HashMap<>(VALID);
        props.put("greenlight.target.url", "jdbc:oracle://scott:tiger@host/db");
        InvalidConfigException e = invalid(props);
        assertTrue(e.getMessage().contains("greenlight.target.url starts with 'jdbc:oracle:'"), e.getMessage());
        assertFalse(e.getMessage().contains("tiger"));
    }

    @Test
    void outOfRangeNumbersNameTheirKey() {
        Map<String, String> props = new HashMap<>(VALID);
        props.put("greenlight.cutover.max-lag-seconds", "-1");
        props.put("greenlight.apply.batch-size", "0");
        InvalidConfigException e = invalid(props);
        assertTrue(e.getMessage().contains("greenlight.cutover.max-lag-seconds is '-1.0'"), e.getMessage());
        assertTrue(e.getMessage().contains("greenlight.apply.batch-size is '0'"), e.getMessage());
    }

    @Test
    void unknownOnErrorPolicyIsRefusedNamingTheKeyAndChoices() {
        Map<String, String> props = new HashMap<>(VALID);
        props.put("greenlight.apply.on-error", "skip");
        assertEquals(List.of("greenlight.apply.on-error is 'skip', expected pause-table or stop-pipeline."), invalid(props).problems());
    }

    @Test
    void onErrorDefaultsToPausingTheTableAndDeadLetteringIsOff() {
        GreenlightConfig config = config(VALID);
        assertEquals("pause-table", config.apply().onError());
        assertTrue(config.apply().deadLetterTopic().isEmpty());
    }

    @Test
    void deadLetterTopicThatKafkaWouldRejectIsRefused() {
        Map<String, String> props = new HashMap<>(VALID);
        props.put("greenlight.apply.dead-letter-topic", "dead letters");
        assertTrue(invalid(props).getMessage().contains("greenlight.apply.dead-letter-topic is 'dead letters'"));
    }

    @Test
    void slotNamesPostgresWouldRejectAreRefused() {
        Map<String, String> props = new HashMap<>(VALID);
        props.put("greenlight.source.slot", "My-Slot");
        assertTrue(invalid(props).getMessage().contains("greenlight.source.slot is 'My-Slot'"));
    }

    @Test
    void passwordsNeverAppearInValidationMessages() {
        Map<String, String> props = new HashMap<>(VALID);
        props.remove("greenlight.target.url");
        props.put("greenlight.kafka.partitions", "0");
        String message = invalid(props).getMessage();
        assertFalse(message.contains("s3cret"), message);
    }

    @Test
    void snapshotModeDefaultsToBackfillAndAnUnknownModeIsNamed() {
        assertEquals("backfill", config(VALID).source().snapshotMode());
        Map<String, String> props = new HashMap<>(VALID);
        props.put("greenlight.source.snapshot-mode", "always");
        props.put("greenlight.backfill.parallelism", "0");
        InvalidConfigException e = invalid(props);
        assertEquals(java.util.List.of(
                "greenlight.source.snapshot-mode is 'always', expected one of backfill, initial, no_data.",
                "greenlight.backfill.parallelism is '0', expected a positive number."), e.problems());
    }

    private static InvalidConfigException invalid(Map<String, String> props) {
        return assertThrows(InvalidConfigException.class, () -> ConfigValidator.validate(config(props)));
    }

    private static Map<String, String> without(String key) {
        Map<String, String> props = new HashMap<>(VALID);
        props.remove(key);
        return props;
    }

    private static GreenlightConfig config(Map<String, String> props) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(props, "test", 100))
                .withConverter(java.time.Duration.class, 100, new DurationConverter()) // as Quarkus registers it
                .withMapping(GreenlightConfig.class)
                .build();
        return config.getConfigMapping(GreenlightConfig.class);
    }
}
