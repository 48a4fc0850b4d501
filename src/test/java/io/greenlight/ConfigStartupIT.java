package io.greenlight;

import io.greenlight.testing.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged service refuses to start on bad config, naming the key; secrets stay out of the log. */
class ConfigStartupIT {

    @Test
    void missingSourceUrlStopsStartupAndNamesTheKey() throws Exception {
        Path log = Files.createTempFile("greenlight-config", ".log");
        try (ServiceProcess service = ServiceProcess.start(Map.of(
                "GREENLIGHT_SOURCE_USERNAME", "replicator",
                "GREENLIGHT_TARGET_URL", "jdbc:mysql://127.0.0.1:1/shop",
                "GREENLIGHT_TARGET_USERNAME", "writer",
                "GREENLIGHT_TARGET_PASSWORD", "very-secret-password"), log)) {
            assertNotEquals(0, service.waitForExit(Duration.ofSeconds(60)));
            String output = service.log();
            assertTrue(output.contains("greenlight.source.url is not set. Set it (or GREENLIGHT_SOURCE_URL)"), output);
            assertFalse(output.contains("very-secret-password"), output);
        }
    }
}
