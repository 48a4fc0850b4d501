package io.greenlight.config;

import java.util.List;

/** Start-up refusal: one line per problem, each naming the key and how to fix it. */
public class InvalidConfigException extends RuntimeException {

    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super("Greenlight cannot start, the configuration is invalid:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
