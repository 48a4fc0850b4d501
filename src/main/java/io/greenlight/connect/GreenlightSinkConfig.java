package io.greenlight.connect;

import io.greenlight.apply.PoisonPolicy;
import io.greenlight.dialect.Dialect;
import io.greenlight.schema.TableId;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Greenlight sink connector's settings: one {@link ConfigDef} defines, validates, defaults and
 * documents them (docs/scale-out.md lists them). Passwords are {@link ConfigDef.Type#PASSWORD}:
 * Connect masks them in its REST answers and logs.
 */
public final class GreenlightSinkConfig extends AbstractConfig {

    public static final String SOURCE_URL = "source.url";
    public static final String SOURCE_USERNAME = "source.username";
    public static final String SOURCE_PASSWORD = "source.password";
    public static final String TARGET_URL = "target.url";
    public static final String TARGET_USERNAME = "target.username";
    public static final String TARGET_PASSWORD = "target.password";
    public static final String TARGET_POOL_SIZE = "target.pool-size";
    public static final String TABLES = "tables";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String LOSSY_ACCEPT = "types.lossy-accept";
    public static final String ON_ERROR = "apply.on-error";
    public static final String RETRY_MAX_DURATION = "apply.retry.max-duration.ms";

    private static final String GROUP_SOURCE = "Source (table models, schema evolution)";
    private static final String GROUP_TARGET = "Target";
    private static final String GROUP_APPLY = "Apply";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(SOURCE_URL, ConfigDef.Type.STRING, null, jdbcUrl(List.of("jdbc:postgresql:"),
                            "jdbc:postgresql://HOST:5432/DB"), ConfigDef.Importance.HIGH,
                    "JDBC URL of the source PostgreSQL: the sink reads the tables' definitions from its catalog and follows "
                            + "its DDL.", GROUP_SOURCE, 1, ConfigDef.Width.LONG, "Source URL")
            .define(SOURCE_USERNAME, ConfigDef.Type.STRING, null, required("the source user, e.g. greenlight"),
                    ConfigDef.Importance.HIGH, "User of the source PostgreSQL.", GROUP_SOURCE, 2, ConfigDef.Width.SHORT,
                    "Source user")
            .define(SOURCE_PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.HIGH,
                    "Password of the source user (use a config provider, e.g. ${file:...}).", GROUP_SOURCE, 3,
                    ConfigDef.Width.SHORT, "Source password")
            .define(TARGET_URL, ConfigDef.Type.STRING, null, jdbcUrl(Dialect.TARGET_URL_PREFIXES,
                            "jdbc:mysql://HOST:3306/DB or jdbc:postgresql://HOST:5432/DB"), ConfigDef.Importance.HIGH,
                    "JDBC URL of the target (MySQL 8, MariaDB 10.11+ or PostgreSQL).", GROUP_TARGET, 1,
                    ConfigDef.Width.LONG, "Target URL")
            .define(TARGET_USERNAME, ConfigDef.Type.STRING, null, required("the target user, e.g. greenlight"),
                    ConfigDef.Importance.HIGH, "User of the target.", GROUP_TARGET, 2, ConfigDef.Width.SHORT, "Target user")
            .define(TARGET_PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.HIGH,
                    "Password of the target user (use a config provider, e.g. ${file:...}).", GROUP_TARGET, 3,
                    ConfigDef.Width.SHORT, "Target password")
            .define(TARGET_POOL_SIZE, ConfigDef.Type.INT, 2, ConfigDef.Range.between(1, 64), ConfigDef.Importance.LOW,
                    "Target connections per task.", GROUP_TARGET, 4, ConfigDef.Width.SHORT, "Target pool size")
            .define(TABLES, ConfigDef.Type.LIST, "", tableList(), ConfigDef.Importance.HIGH,
                    "The migrated tables, schema-qualified (public.orders,public.customers); the same list as the "
                            + "source connector's table.include.list.", GROUP_APPLY, 1, ConfigDef.Width.LONG, "Tables")
            .define(TOPIC_PREFIX, ConfigDef.Type.STRING, "greenlight", new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.MEDIUM, "The source connector's topic.prefix: a table's changes are read from "
                            + "<prefix>.<schema>.<table>.", GROUP_APPLY, 2, ConfigDef.Width.MEDIUM, "Topic prefix")
            .define(LOSSY_ACCEPT, ConfigDef.Type.LIST, "", ConfigDef.Importance.MEDIUM,
                    "Columns (schema.table.column) whose values may be rounded or truncated to fit the target, as "
                            + "greenlight.types.lossy-accept.", GROUP_APPLY, 3, ConfigDef.Width.LONG, "Lossy columns")
            .define(ON_ERROR, ConfigDef.Type.STRING, "pause-table", ConfigDef.ValidString.in("pause-table", "stop-pipeline"),
                    ConfigDef.Importance.MEDIUM, "A change the target cannot take: pause-table pauses its table in the "
                            + "task (restart the task to retry it), stop-pipeline fails the task. With "
                            + "errors.deadletterqueue.topic.name and errors.tolerance=all it goes to the dead letter queue "
                            + "instead.", GROUP_APPLY, 4, ConfigDef.Width.SHORT, "On error")
            .define(RETRY_MAX_DURATION, ConfigDef.Type.LONG, 60_000L, ConfigDef.Range.atLeast(0),
                    ConfigDef.Importance.LOW, "How long a transient target failure is retried inside the task before "
                            + "Connect redelivers the batch (a RetriableException).", GROUP_APPLY, 5,
                    ConfigDef.Width.SHORT, "Retry for");

    /**
     * The tables and the topics Connect hands the task must match: each table's changes are in
     * {@code <topic.prefix>.<schema>.<table>}, and every topic read must be a table's.
     */
    static List<String> topicProblems(Map<String, String> props) {
        String topics = props.get("topics");
        String tables = props.get(TABLES);
        if (topics == null || topics.isBlank() || tables == null || tables.isBlank()) {
            return List.of(); // topics.regex, or tables missing (reported on its own)
        }
        io.greenlight.kafka.TopicNames names = new io.greenlight.kafka.TopicNames(
                props.getOrDefault(TOPIC_PREFIX, "greenlight"));
        List<String> read = java.util.Arrays.stream(topics.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        List<String> problems = new java.util.ArrayList<>();
        java.util.Set<String> expected = new java.util.LinkedHashSet<>();
        for (String table : tables.split(",")) {
            String topic;
            try {
                topic = names.table(TableId.parse(table.trim()));
            } catch (RuntimeException e) {
                continue; // reported by the tables validator
            }
            expected.add(topic);
            if (!read.contains(topic)) {
                problems.add(TABLES + " lists " + table.trim() + ", whose changes are in topic " + topic
                        + ", but topics does not include it. Add " + topic + " to topics, or check " + TOPIC_PREFIX + ".");
            }
        }
        for (String topic : read) {
            if (!expected.contains(topic)) {
                problems.add("topics includes " + topic + ", which holds no table of " + TABLES + " (" + TOPIC_PREFIX + " "
                        + props.getOrDefault(TOPIC_PREFIX, "greenlight") + "). Add its table to " + TABLES
                        + " or remove the topic from topics.");
            }
        }
        return problems;
    }

    /** Keys without a default, with an example of what to set them to. */
    static final Map<String, String> REQUIRED = Map.of(
            SOURCE_URL, "jdbc:postgresql://HOST:5432/DB",
            SOURCE_USERNAME, "the source user, e.g. greenlight",
            TARGET_URL, "jdbc:mysql://HOST:3306/DB or jdbc:postgresql://HOST:5432/DB",
            TARGET_USERNAME, "the target user, e.g. greenlight",
            TABLES, "the migrated tables, e.g. public.orders,public.customers (the source connector's table.include.list)");

    public GreenlightSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        Map<String, String> missing = missing(props);
        if (!missing.isEmpty()) {
            throw new ConfigException(String.join(" ", missing.values()));
        }
        List<String> topics = topicProblems(props);
        if (!topics.isEmpty()) {
            throw new ConfigException(String.join(" ", topics));
        }
    }

    public String sourceUrl() {
        return getString(SOURCE_URL);
    }

    public String sourceUsername() {
        return getString(SOURCE_USERNAME);
    }

    public Optional<String> sourcePassword() {
        return password(SOURCE_PASSWORD);
    }

    public String targetUrl() {
        return getString(TARGET_URL);
    }

    public String targetUsername() {
        return getString(TARGET_USERNAME);
    }

    public Optional<String> targetPassword() {
        return password(TARGET_PASSWORD);
    }

    public int targetPoolSize() {
        return getInt(TARGET_POOL_SIZE);
    }

    public List<TableId> tables() {
        return getList(TABLES).stream().map(String::trim).map(TableId::parse).toList();
    }

    public String topicPrefix() {
        return getString(TOPIC_PREFIX);
    }

    public List<String> lossyAccept() {
        return getList(LOSSY_ACCEPT);
    }

    public PoisonPolicy.Mode onError() {
        return PoisonPolicy.Mode.of(getString(ON_ERROR));
    }

    public Duration retryFor() {
        return Duration.ofMillis(getLong(RETRY_MAX_DURATION));
    }

    private Optional<String> password(String key) {
        Password password = getPassword(key);
        return password == null ? Optional.empty() : Optional.of(password.value());
    }

    private static ConfigDef.Validator required(String example) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && value.toString().isBlank()) {
                    throw new ConfigException(name, value, name + " is empty. Set it to " + example + ".");
                }
            }

            @Override
            public String toString() {
                return "non-empty";
            }
        };
    }

    /** The required keys that are not set, each with what to set it to. */
    static Map<String, String> missing(Map<String, String> props) {
        Map<String, String> missing = new java.util.LinkedHashMap<>();
        REQUIRED.forEach((key, example) -> {
            String value = props.get(key);
            if (value == null || value.isBlank()) {
                missing.put(key, key + " is not set. Set it to " + example + ".");
            }
        });
        return missing;
    }

    private static ConfigDef.Validator jdbcUrl(List<String> prefixes, String example) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null) {
                    return; // unset: reported by missing()
                }
                if (prefixes.stream().noneMatch(value.toString()::startsWith)) {
                    throw new ConfigException(name, redacted(value.toString()), name + " must be a JDBC URL starting with "
                            + String.join(", ", prefixes) + ", e.g. " + example + ".");
                }
            }

            @Override
            public String toString() {
                return "JDBC URL starting with " + String.join(", ", prefixes);
            }
        };
    }

    /** A URL may carry a password (?password=...): never echo one back. */
    static String redacted(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private static ConfigDef.Validator tableList() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                @SuppressWarnings("unchecked")
                List<String> tables = value == null ? List.of() : (List<String>) value;
                for (String table : tables) {
                    try {
                        TableId.parse(table.trim());
                    } catch (RuntimeException e) {
                        throw new ConfigException(name, table, "not a schema-qualified table name: " + e.getMessage()
                                + ". Write schema.table, e.g. public.orders.");
                    }
                }
            }

            @Override
            public String toString() {
                return "schema-qualified table names";
            }
        };
    }
}
