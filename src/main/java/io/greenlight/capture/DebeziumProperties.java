package io.greenlight.capture;

import io.greenlight.config.GreenlightConfig;
import io.greenlight.kafka.TopicNames;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.schema.UnchangedToast;
import org.postgresql.Driver;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The Debezium PostgreSQL connector and engine settings Greenlight runs with. Value
 * representations are fixed here because apply decodes exactly these (exact decimals as
 * strings, microsecond times, ISO intervals, bytes as bytes). Operators tune the rest with the
 * file named by greenlight.capture.connector-config (see {@link ConnectorConfigFile}).
 */
public final class DebeziumProperties {

    /** The name Greenlight's custom converter is registered under. */
    static final String CONVERTER = "greenlight";

    private DebeziumProperties() {
    }

    public static Properties of(GreenlightConfig config, Collection<TableId> tables, TopicNames topics,
                                String bootstrapServers) {
        GreenlightConfig.Source source = config.source();
        Properties p = pgoutput(new Endpoint("greenlight.source.url", source.url().orElseThrow(), source.username().orElseThrow(),
                source.password(), source.slot(), source.publication()), engineName(topics), topics.prefix(), tables,
                "backfill".equals(source.snapshotMode()) ? "no_data" : source.snapshotMode());

        if (config.kafka().bootstrapServers().isPresent()) {
            // Source offsets live in Kafka: a rescheduled pod resumes where the last one stopped.
            p.put("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
            p.put("bootstrap.servers", bootstrapServers);
            p.put("offset.storage.topic", topics.sourceOffsets());
            p.put("offset.storage.partitions", "1");
            p.put("offset.storage.replication.factor", String.valueOf(config.kafka().replicationFactor()));
        } else {
            // The embedded broker's log lives in data-dir too, so a file there is just as durable. The
            // Kafka store's tailing consumer spun at ~0.5 core while idle against the in-JVM broker
            // (JFR + per-thread CPU, bench/results.md), a third of Greenlight's CPU during a burst.
            p.put("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
            p.put("offset.storage.file.filename", sourceOffsetsFile(config).toString());
        }
        // Tunables from greenlight.capture.connector-config win over the defaults above; the file
        // cannot hold the settings Greenlight derives (ConnectorConfigFile refuses them).
        config.capture().connectorConfig().ifPresent(file -> p.putAll(ConnectorConfigFile.load(Path.of(file))));
        return p;
    }

    /**
     * A PostgreSQL database captured through pgoutput: the source forward, the new primary (a
     * PostgreSQL target) in reverse.
     *
     * @param setting the setting that names the URL, for the error when it is not a PostgreSQL URL
     */
    public record Endpoint(String setting, String url, String username, Optional<String> password, String slot, String publication) {
    }

    /**
     * Capture of {@code tables} of {@code endpoint} from its slot and publication (neither created
     * by Debezium), with the value representations apply decodes. The caller adds the offset store.
     */
    public static Properties pgoutput(Endpoint endpoint, String name, String topicPrefix, Collection<TableId> tables,
                                      String snapshotMode) {
        Properties url = Driver.parseURL(endpoint.url(), null);
        if (url == null) {
            throw new IllegalArgumentException(endpoint.setting() + " is not a valid PostgreSQL JDBC URL "
                    + "(expected jdbc:postgresql://HOST:PORT/DB).");
        }
        Properties p = new Properties();
        p.put("name", name);
        p.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.put("tasks.max", "1");
        p.put("offset.flush.interval.ms", "1000");
        p.put("offset.flush.timeout.ms", "30000");

        p.put("database.hostname", url.getProperty("PGHOST").split(",")[0]);
        p.put("database.port", url.getProperty("PGPORT").split(",")[0]);
        p.put("database.dbname", url.getProperty("PGDBNAME"));
        p.put("database.user", endpoint.username());
        endpoint.password().ifPresent(pw -> p.put("database.password", pw));
        if (url.getProperty("sslmode") != null) {
            p.put("database.sslmode", url.getProperty("sslmode"));
        }

        p.put("topic.prefix", topicPrefix);
        p.put("plugin.name", "pgoutput");
        p.put("slot.name", endpoint.slot());
        p.put("publication.name", endpoint.publication());
        p.put("publication.autocreate.mode", "disabled");
        p.put("table.include.list", tables.stream().map(DebeziumProperties::exactPattern).collect(Collectors.joining(",")));
        // backfill: Greenlight copies the rows itself (io.greenlight.backfill); Debezium only streams from the slot.
        p.put("snapshot.mode", snapshotMode);

        p.put("decimal.handling.mode", "string");
        p.put("time.precision.mode", "adaptive_time_microseconds");
        p.put("binary.handling.mode", "bytes");
        p.put("interval.handling.mode", "string");
        p.put("hstore.handling.mode", "json");
        p.put("include.unknown.datatypes", "true");
        // PostgreSQL's exact text form where the connector's own representation loses or drops values.
        p.put("converters", CONVERTER);
        p.put(CONVERTER + ".type", PostgresTextConverter.class.getName());
        // Apply recognizes unchanged TOASTed values by this marker and leaves the target's value alone.
        p.put("unavailable.value.placeholder", UnchangedToast.PLACEHOLDER);
        // Column type, length and scale in each field's schema: apply notices type changes while streaming.
        p.put("column.propagate.source.type", ".*");
        p.put("tombstones.on.delete", "false");
        // The source's DDL, written into the WAL by Greenlight's event trigger (DdlCapture); no other messages.
        p.put("message.prefix.include.list", io.greenlight.schema.DdlEvent.PREFIX.replace(".", "\\."));
        p.put("skipped.operations", "none");
        // Greenlight's own heartbeat table (HeartbeatWriter) keeps offsets flushing and lag honest.
        p.put("heartbeat.interval.ms", "0");
        p.put("errors.max.retries", "-1");
        // Hand changes to the publisher within 100 ms of their arrival (default 500 ms): lag and cutover drain time.
        p.put("poll.interval.ms", "100");
        return p;
    }

    /**
     * {@link #of(GreenlightConfig, Collection, TopicNames, String)} for the captured table models:
     * a table keyed by its REPLICA IDENTITY index (no primary key) gets that index as its events'
     * Kafka key, so its changes stay in order per row on any number of partitions.
     */
    public static Properties of(GreenlightConfig config, Map<TableId, SourceTable> tables, TopicNames topics,
                                String bootstrapServers) {
        Properties p = of(config, tables.keySet(), topics, bootstrapServers);
        messageKeyColumns(tables.values()).ifPresent(keys -> p.put("message.key.columns", keys));
        return p;
    }

    /** Debezium's message.key.columns for the tables keyed by their replica identity index, if any. */
    static Optional<String> messageKeyColumns(Collection<SourceTable> tables) {
        String keys = tables.stream()
                .filter(t -> t.replicaIdentity() == 'i' && t.hasPrimaryKey())
                .filter(t -> t.primaryKey().stream().noneMatch(c -> c.matches(".*[,;:\\s].*")))
                .map(t -> exactPattern(t.id()) + ":" + String.join(",", t.primaryKey()))
                .collect(Collectors.joining(";"));
        return keys.isEmpty() ? Optional.empty() : Optional.of(keys);
    }

    /** The engine's name: the key of its source offsets in Kafka. */
    public static String engineName(TopicNames topics) {
        return "greenlight-" + topics.prefix();
    }

    /** Where capture keeps its source position when Kafka is embedded (beside the broker's log). */
    public static Path sourceOffsetsFile(GreenlightConfig config) {
        return Path.of(config.dataDir(), "source-offsets.dat");
    }

    /** table.include.list takes regular expressions: match this table's name literally. */
    static String exactPattern(TableId id) {
        return escape(id.schema()) + "\\." + escape(id.table());
    }

    private static String escape(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (!Character.isLetterOrDigit(cp) && cp != '_') {
                out.append('\\');
            }
            out.appendCodePoint(cp);
        });
        return out.toString();
    }
}
