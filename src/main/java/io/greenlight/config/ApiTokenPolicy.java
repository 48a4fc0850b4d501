package io.greenlight.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What makes {@code greenlight.api.token} usable: it guards cutover, verify and resume, so a
 * placeholder from an example file or a short, guessable value refuses the start. Messages never
 * contain the token.
 */
final class ApiTokenPolicy {

    static final int MIN_LENGTH = 32;
    private static final int MIN_DISTINCT_CHARACTERS = 8;
    private static final String KEY = "greenlight.api.token (GREENLIGHT_API_TOKEN)";
    private static final String REMEDY = " Generate one with: openssl rand -hex 32";
    /** Words of example values, compared with letters and digits only, in lower case. */
    private static final List<String> PLACEHOLDER_WORDS = List.of("changeme", "replaceme", "placeholder",
            "yourapitoken", "yourtoken", "example", "notasecret", "insertsecret", "todo");
    private static final List<String> PLACEHOLDER_VALUES = List.of("secret", "token", "password", "apitoken", "xxx");

    private ApiTokenPolicy() {
    }

    /** The problem with the token, if any; none when it is unset (mutating endpoints then answer 403). */
    static Optional<String> problem(Optional<String> token) {
        if (token.isEmpty()) {
            return Optional.empty();
        }
        String value = token.get();
        String letters = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (PLACEHOLDER_VALUES.contains(letters) || PLACEHOLDER_WORDS.stream().anyMatch(letters::contains)) {
            return Optional.of(KEY + " is a placeholder, not a secret: anyone who read the example could cut over." + REMEDY);
        }
        if (value.length() < MIN_LENGTH) {
            return Optional.of(KEY + " has " + value.length() + " characters; it needs at least " + MIN_LENGTH + "." + REMEDY);
        }
        if (value.chars().distinct().count() < MIN_DISTINCT_CHARACTERS) {
            return Optional.of(KEY + " has too few distinct characters to be a secret." + REMEDY);
        }
        return Optional.empty();
    }
}
