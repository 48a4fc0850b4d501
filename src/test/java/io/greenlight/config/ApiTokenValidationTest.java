package io.greenlight.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API token guards cutover, verify and resume: a guessable one refuses the start. */
class ApiTokenValidationTest {

    private static final Map<String, String> VALID = Map.of(
            "greenlight.source.url", "jdbc:postgresql://db:5432/shop",
            "greenlight.source.username", "replicator",
            "greenlight.target.url", "jdbc:mysql://mysql:3306/shop",
            "greenlight.target.username", "writer");

    @Test
    void thePlaceholderOfTheExampleSecretRefusesTheStartNamingTheKeyAndHowToGenerateOne() {
        InvalidConfigException e = invalid("change-me");
        assertEquals(List.of("greenlight.api.token (GREENLIGHT_API_TOKEN) is a placeholder, not a secret: anyone who read"
                + " the example could cut over. Generate one with: openssl rand -hex 32"), e.problems());
    }

    @Test
    void placeholdersInAnyCaseOrSpellingAreRefused() {
        for (String placeholder : List.of("CHANGE_ME", "changeme", "ChangeMe-ChangeMe-ChangeMe-ChangeMe-ChangeMe",
                "replace-me-with-a-real-token-of-some-length", "your-api-token-goes-here-please-0000")) {
            assertTrue(invalid(placeholder).problems().get(0).contains("is a placeholder"), placeholder);
        }
    }

    @Test
    void aShortTokenIsRefusedWithItsLengthButNeverItsValue() {
        InvalidConfigException e = invalid("k8s-prod-2024");
        assertEquals(List.of("greenlight.api.token (GREENLIGHT_API_TOKEN) has 13 characters; it needs at least 32."
                + " Generate one with: openssl rand -hex 32"), e.problems());
        assertFalse(e.getMessage().contains("k8s-prod-2024"));
    }

    @Test
    void aLongTokenOfFewDistinctCharactersIsRefused() {
        InvalidConfigException e = invalid("a".repeat(40));
        assertTrue(e.problems().get(0).contains("too few distinct characters"), e.problems().toString());
        assertFalse(e.getMessage().contains("a".repeat(40)));
    }

    /** The remedy every message gives must produce a token that is accepted. */
    @Test
    void aTokenMadeByTheAdvisedCommandIsAccepted() throws Exception {
        Process openssl = new ProcessBuilder("openssl", "rand", "-hex", "32").start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        openssl.getInputStream().transferTo(out);
        assertEquals(0, openssl.waitFor());
        String token = out.toString().trim();
        assertEquals(64, token.length());
        assertDoesNotThrow(() -> ConfigValidator.validate(config(with(token))));
    }

    @Test
    void noTokenStaysAllowedBecauseMutatingEndpointsThenAnswer403() {
        assertDoesNotThrow(() -> ConfigValidator.validate(config(VALID)));
    }

    private static InvalidConfigException invalid(String token) {
        return assertThrows(InvalidConfigException.class, () -> ConfigValidator.validate(config(with(token))));
    }

    private static Map<String, String> with(String token) {
        Map<String, String> props = new HashMap<>(VALID);
        props.put("greenlight.api.token", token);
        return props;
    }

    private static GreenlightConfig config(Map<String, String> props) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(props, "test", 100))
                .withConverter(java.time.Duration.class, 100, new DurationConverter())
                .withMapping(GreenlightConfig.class)
                .build().getConfigMapping(GreenlightConfig.class);
    }
}
