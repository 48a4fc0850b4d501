package io.greenlight.testing;

import io.greenlight.config.GreenlightConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Greenlight's typed config tree built from plain key/value pairs, for tests that need no running application. */
public final class TestConfig {

    private TestConfig() {
    }

    /** The given keys only; Quarkus' converter reads durations such as 1S and 100MS, as in the running application. */
    public static GreenlightConfig of(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withMapping(GreenlightConfig.class).withDefaultValues(values)
                .withConverter(Duration.class, 200, new DurationConverter()).build()
                .getConfigMapping(GreenlightConfig.class);
    }

    /** A source and target that need not exist (nothing connects), plus {@code extra}. */
    public static GreenlightConfig minimal(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of(
                "greenlight.source.url", "jdbc:postgresql://db:5432/shop",
                "greenlight.source.username", "greenlight",
                "greenlight.source.slot", "greenlight_slot",
                "greenlight.target.url", "jdbc:mysql://db:3306/shop",
                "greenlight.target.username", "greenlight"));
        values.putAll(extra);
        return of(values);
    }
}
