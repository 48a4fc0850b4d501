package io.greenlight.reverse;

import java.net.URI;
import java.util.Collection;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The Debezium MariaDB connector settings reverse replication reads the new primary's binlog
 * with. It starts at the offset the old source recorded ({@link SeededOffsetStore}); the
 * {@code recovery} snapshot mode reads the tables' current definitions and no rows, so nothing
 * before that offset is read again. Values come as exact decimal text, microsecond times and
 * bytes, as forward capture's do.
 */
public final class ReverseProperties {

    private ReverseProperties() {
    }

    /**
     * @param targetUrl the new primary's JDBC URL (jdbc:mysql:// or jdbc:mariadb://)
     * @param tables    the tables to read, as named on the new primary (the source table's name)
     */
    public static Properties of(String engine, String targetUrl, String username, String password,
                                Collection<String> tables, int serverId) {
        URI uri = URI.create(targetUrl.substring("jdbc:".length()));
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || database.isEmpty()) {
            throw new IllegalArgumentException("greenlight.target.url " + targetUrl + " does not name a host and a database "
                    + "(jdbc:mysql://HOST:3306/DB): reverse replication needs both.");
        }
        Properties p = new Properties();
        p.put("name", engine);
        p.put("connector.class", "io.debezium.connector.mariadb.MariaDbConnector");
        p.put("tasks.max", "1");
        p.put("offset.storage", SeededOffsetStore.class.getName());
        p.put("offset.flush.interval.ms", "1000");
        p.put("database.hostname", uri.getHost());
        p.put("database.port", String.valueOf(uri.getPort() > 0 ? uri.getPort() : 3306));
        p.put("database.user", username);
        if (password != null) {
            p.put("database.password", password);
        }
        p.put("database.server.id", String.valueOf(serverId));
        p.put("database.ssl.mode", "disable");
        p.put("topic.prefix", engine);
        p.put("database.include.list", exact(database));
        p.put("table.include.list", tables.stream().map(t -> exact(database) + "\\." + exact(t)).collect(Collectors.joining(",")));
        p.put("snapshot.mode", "recovery");
        p.put("snapshot.locking.mode", "none");
        p.put("schema.history.internal", "io.debezium.relational.history.MemorySchemaHistory");
        p.put("include.schema.changes", "false");
        p.put("decimal.handling.mode", "string");
        p.put("time.precision.mode", "adaptive_time_microseconds");
        // The server already read two-digit years when the row was written; the binlog holds real years. The
        // connector's default adjuster would turn year 0001-0099 (DATE, DATETIME) into 2001-2099 / 1970-1999.
        p.put("enable.time.adjuster", "false");
        p.put("binary.handling.mode", "bytes");
        p.put("bigint.unsigned.handling.mode", "precise");
        p.put("tombstones.on.delete", "false");
        p.put("skipped.operations", "none"); // a TRUNCATE on the new primary empties the old source's table too
        p.put("errors.max.retries", "-1");
        p.put("poll.interval.ms", "50");
        return p;
    }

    /** A binlog client id of its own (unique among the server's replicas), stable per stream. */
    public static int serverId(String engine) {
        return 5_400_000 + Math.floorMod(engine.hashCode(), 1_000_000);
    }

    /** include lists take regular expressions: match the name literally. */
    private static String exact(String name) {
        return name.codePoints().mapToObj(cp ->
                Character.isLetterOrDigit(cp) || cp == '_' ? Character.toString(cp) : "\\" + Character.toString(cp))
                .collect(Collectors.joining());
    }
}
