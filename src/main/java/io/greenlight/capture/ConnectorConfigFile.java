package io.greenlight.capture;

import io.greenlight.config.ConfigValidator;
import io.greenlight.config.InvalidConfigException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The optional Debezium connector settings file named by greenlight.capture.connector-config
 * (shipped as connectors/debezium-postgres.properties). Its entries override the built-in
 * tunables of {@link DebeziumProperties}; the settings Greenlight derives from its own keys or
 * that apply depends on are refused, and so is anything that looks like a secret.
 */
public final class ConnectorConfigFile {

    static final String KEY = "greenlight.capture.connector-config";

    /** Refused settings and what to do instead. */
    static final Map<String, String> OWNED = Map.ofEntries(
            derived("connector.class", null),
            derived("bootstrap.servers", "greenlight.kafka.bootstrap-servers"),
            derived("offset.storage", null),
            derived("offset.storage.topic", "greenlight.kafka.topic-prefix"),
            derived("offset.storage.file.filename", "greenlight.data-dir"),
            derived("offset.storage.replication.factor", "greenlight.kafka.replication-factor"),
            derived("database.hostname", "greenlight.source.url"),
            derived("database.port", "greenlight.source.url"),
            derived("database.dbname", "greenlight.source.url"),
            derived("database.user", "greenlight.source.username"),
            derived("topic.prefix", "greenlight.kafka.topic-prefix"),
            derived("topic.naming.strategy", null),
            derived("topic.delimiter", null),
            derived("plugin.name", null),
            derived("slot.name", "greenlight.source.slot"),
            derived("publication.name", "greenlight.source.publication"),
            derived("publication.autocreate.mode", "greenlight.source.publication"),
            derived("table.include.list", "greenlight.source.tables"),
            derived("message.key.columns", null),
            derived("message.prefix.include.list", null),
            derived("message.prefix.exclude.list", null),
            derived("snapshot.mode", "greenlight.source.snapshot-mode"),
            derived("heartbeat.interval.ms", "greenlight.heartbeat.interval"),
            decoded("decimal.handling.mode"),
            decoded("time.precision.mode"),
            decoded("binary.handling.mode"),
            decoded("interval.handling.mode"),
            decoded("hstore.handling.mode"),
            decoded("tombstones.on.delete"),
            decoded("skipped.operations"),
            decoded("unavailable.value.placeholder"),
            decoded("column.propagate.source.type"),
            decoded("converters"),
            decoded(DebeziumProperties.CONVERTER + ".type"));

    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas\\.config|credential|token).*");

    private ConnectorConfigFile() {
    }

    /** The file's settings; an {@link InvalidConfigException} listing every problem if it has any. */
    public static Properties load(Path file) {
        List<String> problems = problems(file);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return read(file);
    }

    /** One line per refused setting or unreadable file, each naming the next step. */
    public static List<String> problems(Path file) {
        if (!Files.isReadable(file)) {
            return List.of(KEY + " is '" + file + "', but that file does not exist or is not readable. "
                    + "Point it (or " + ConfigValidator.envName(KEY) + ") at a Debezium properties file such as "
                    + "connectors/debezium-postgres.properties, or unset it to use the built-in settings.");
        }
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(read(file).stringPropertyNames())) {
            if (SECRET.matcher(name).matches()) {
                problems.add(file + " sets " + name + ": secrets never go into the connector file. Set "
                        + "greenlight.source.password (GREENLIGHT_SOURCE_PASSWORD) from a Secret instead.");
            } else if (OWNED.containsKey(name)) {
                problems.add(file + " sets " + name + ", which Greenlight controls: " + OWNED.get(name)
                        + " Remove it from the file.");
            }
        }
        return problems;
    }

    private static Properties read(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new InvalidConfigException(List.of(KEY + ": reading " + file + " failed: " + e.getMessage()));
        }
        properties.replaceAll((k, v) -> v.toString().trim());
        return properties;
    }

    private static Map.Entry<String, String> derived(String name, String key) {
        return Map.entry(name, key == null ? "it is fixed for the embedded engine."
                : "it is derived from " + key + " (" + ConfigValidator.envName(key) + "); set that instead.");
    }

    private static Map.Entry<String, String> decoded(String name) {
        return Map.entry(name, "apply decodes exactly the representation Greenlight configures.");
    }
}
