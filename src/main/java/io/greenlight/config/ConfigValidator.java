package io.greenlight.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks the typed config once at start; every message names the key and its env var. */
public final class ConfigValidator {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern TOPIC_PREFIX = Pattern.compile("[A-Za-z0-9_\\-]{1,100}");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._\\-]{1,249}");
    private static final Pattern TABLE = Pattern.compile("[^.\\s]+\\.[^.\\s]+");
    /** A type name (one part) or schema.table.column (three parts; the table part may contain dots). */
    private static final Pattern LOSSY_ENTRY = Pattern.compile("[^.\\s]+|[^.\\s]+\\..+\\.[^.\\s]+");

    /** backfill: Greenlight's parallel copy; initial and no_data: Debezium's snapshot modes. */
    public static final List<String> SNAPSHOT_MODES = List.of("backfill", "initial", "no_data");

    private ConfigValidator() {
    }

    public static void validate(GreenlightConfig config) {
        List<String> problems = new ArrayList<>();
        GreenlightConfig.Source source = config.source();
        requireUrl(problems, "greenlight.source.url", source.url(), "jdbc:postgresql://HOST:5432/DB", "jdbc:postgresql:");
        require(problems, "greenlight.source.username", source.username(), "the replication user's name");
        requireUrl(problems, "greenlight.target.url", config.target().url(), "jdbc:mysql://HOST:3306/DB",
                "jdbc:mysql:", "jdbc:mariadb:", "jdbc:postgresql:");
        require(problems, "greenlight.target.username", config.target().username(), "the target user's name");
        if (!IDENTIFIER.matcher(source.slot()).matches()) {
            problems.add(invalid("greenlight.source.slot", source.slot(),
                    "a replication slot name: lower-case letters, digits and _, at most 63 characters"));
        }
        if (!IDENTIFIER.matcher(source.publication()).matches()) {
            problems.add(invalid("greenlight.source.publication", source.publication(),
                    "a publication name: lower-case letters, digits and _, at most 63 characters"));
        }
        source.tables().ifPresent(tables -> tables.stream()
                .filter(t -> !TABLE.matcher(t.trim()).matches())
                .forEach(t -> problems.add(invalid("greenlight.source.tables", t,
                        "a comma-separated list of schema.table names"))));
        if (!SNAPSHOT_MODES.contains(source.snapshotMode())) {
            problems.add(invalid("greenlight.source.snapshot-mode", source.snapshotMode(),
                    "one of " + String.join(", ", SNAPSHOT_MODES)));
        }
        positive(problems, "greenlight.backfill.parallelism", config.backfill().parallelism());
        positive(problems, "greenlight.backfill.chunk-pages", config.backfill().chunkPages());
        positive(problems, "greenlight.backfill.batch-rows", config.backfill().batchRows());
        if (config.backfill().maxRowsPerSecond() < 0) {
            problems.add(invalid("greenlight.backfill.max-rows-per-second", String.valueOf(config.backfill().maxRowsPerSecond()),
                    "0 (no cap) or a positive number"));
        }
        GreenlightConfig.Backfill.Throttle throttle = config.backfill().throttle();
        positiveDuration(problems, "greenlight.backfill.throttle.max-replica-lag", throttle.maxReplicaLag());
        positiveDuration(problems, "greenlight.backfill.throttle.max-commit-latency", throttle.maxCommitLatency());
        positiveDuration(problems, "greenlight.backfill.throttle.check-interval", throttle.checkInterval());
        GreenlightConfig.Kafka kafka = config.kafka();
        if (!TOPIC_PREFIX.matcher(kafka.topicPrefix()).matches()) {
            problems.add(invalid("greenlight.kafka.topic-prefix", kafka.topicPrefix(), "letters, digits, _ and -"));
        }
        if (config.mode() == GreenlightConfig.Mode.CONTROL_PLANE && kafka.bootstrapServers().isEmpty()) {
            problems.add("greenlight.mode=control-plane watches a pipeline that runs in Kafka Connect, so it needs that cluster's "
                    + "Kafka: set greenlight.kafka.bootstrap-servers (or GREENLIGHT_KAFKA_BOOTSTRAP_SERVERS) to the Connect "
                    + "workers' bootstrap.servers.");
        }
        if (!TOPIC.matcher(config.connect().offsetsTopic()).matches()) {
            problems.add(invalid("greenlight.connect.offsets-topic", config.connect().offsetsTopic(),
                    "the Connect workers' offset.storage.topic"));
        }
        positive(problems, "greenlight.kafka.partitions", kafka.partitions());
        positive(problems, "greenlight.kafka.replication-factor", kafka.replicationFactor());
        positive(problems, "greenlight.apply.batch-size", config.apply().batchSize());
        positive(problems, "greenlight.target.pool-size", config.target().poolSize());
        positive(problems, "greenlight.verify.chunk-size", config.verify().chunkSize());
        positive(problems, "greenlight.verify.parallelism", config.verify().parallelism());
        positive(problems, "greenlight.verify.range-parallelism", config.verify().rangeParallelism());
        positive(problems, "greenlight.verify.sample-size", config.verify().sampleSize());
        positive(problems, "greenlight.verify.recheck-limit", config.verify().recheckLimit());
        positiveDuration(problems, "greenlight.verify.catch-up-timeout", config.verify().catchUpTimeout());
        positiveDuration(problems, "greenlight.heartbeat.interval", config.heartbeat().interval());
        positiveDuration(problems, "greenlight.apply.batch-max-wait", config.apply().batchMaxWait());
        String onError = config.apply().onError();
        if (!onError.equals("pause-table") && !onError.equals("stop-pipeline")) {
            problems.add(invalid("greenlight.apply.on-error", onError, "pause-table or stop-pipeline"));
        }
        config.apply().deadLetterTopic().filter(t -> !TOPIC.matcher(t).matches() || t.equals(".") || t.equals(".."))
                .ifPresent(t -> problems.add(invalid("greenlight.apply.dead-letter-topic", t,
                        "a Kafka topic name: letters, digits, '.', '_' and '-', at most 249 characters")));
        double maxLag = config.cutover().maxLagSeconds();
        if (!(maxLag > 0 && maxLag <= 3600)) {
            problems.add(invalid("greenlight.cutover.max-lag-seconds", String.valueOf(maxLag), "a number of seconds in (0, 3600]"));
        }
        config.types().lossyAccept().ifPresent(entries -> entries.stream()
                .filter(e -> !LOSSY_ENTRY.matcher(e.trim()).matches())
                .forEach(e -> problems.add(invalid("greenlight.types.lossy-accept", e,
                        "a comma-separated list of schema.table.column names or PostgreSQL type names (e.g. timetz)"))));
        ApiTokenPolicy.problem(config.api().token()).ifPresent(problems::add);
        if (config.dataDir().isBlank()) {
            problems.add(invalid("greenlight.data-dir", "", "a writable directory"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    private static void require(List<String> problems, String key, Optional<String> value, String expected) {
        if (value.isEmpty() || value.get().isBlank()) {
            problems.add(key + " is not set. Set it (or " + envName(key) + ") to " + expected + ".");
        }
    }

    private static void requireUrl(List<String> problems, String key, Optional<String> value, String example,
                                   String... prefixes) {
        if (value.isEmpty() || value.get().isBlank()) {
            problems.add(key + " is not set. Set it (or " + envName(key) + ") to " + example + ".");
            return;
        }
        for (String prefix : prefixes) {
            if (value.get().startsWith(prefix)) {
                return;
            }
        }
        // The URL may carry a password: name only its scheme.
        String scheme = value.get().contains("//") ? value.get().substring(0, value.get().indexOf("//")) : "(no scheme)";
        problems.add(key + " starts with '" + scheme + "', expected one of " + String.join(", ", prefixes)
                + " (for example " + example + ").");
    }

    private static void positive(List<String> problems, String key, long value) {
        if (value <= 0) {
            problems.add(invalid(key, String.valueOf(value), "a positive number"));
        }
    }

    private static void positiveDuration(List<String> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(invalid(key, value.toString(), "a positive duration such as 1S or 500MS"));
        }
    }

    private static String invalid(String key, String value, String expected) {
        return key + " is '" + value + "', expected " + expected + ".";
    }

    public static String envName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }
}
