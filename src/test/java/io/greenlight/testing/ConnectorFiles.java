package io.greenlight.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The connector files users deploy (connectors/kafka-connect), pointed at the test servers: the
 * Debezium PostgreSQL source and Greenlight's sink for a database, its tables and a topic prefix.
 */
public final class ConnectorFiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CONNECTORS = Path.of("connectors", "kafka-connect");

    private ConnectorFiles() {
    }

    /** The "config" object of a connector file. */
    public static Map<String, String> config(String file) throws IOException {
        JsonNode config = JSON.readTree(CONNECTORS.resolve(file).toFile()).path("config");
        Map<String, String> map = new HashMap<>();
        config.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** postgres-source.json for {@code db}: slot and publication as named, {@code tables} as schema.table. */
    public static Map<String, String> source(TestServers servers, String db, String prefix, String slot, String publication,
                                             List<String> tables) throws IOException {
        Map<String, String> source = config("postgres-source.json");
        source.put("database.hostname", "127.0.0.1");
        source.put("database.port", String.valueOf(servers.postgres.port()));
        source.put("database.dbname", db);
        source.put("database.user", "postgres");
        source.remove("database.password");
        source.put("topic.prefix", prefix);
        source.put("slot.name", slot);
        source.put("publication.name", publication);
        source.put("table.include.list", String.join(",", tables.stream().map(t -> t.replace(".", "\\.")).toList()));
        source.put("topic.creation.default.replication.factor", "1");
        ddlRouter(source, servers.postgres.jdbcUrl(db), prefix, tables);
        return source;
    }

    /** Points the source config's Greenlight DDL transform at the test source, its tables and topic prefix. */
    public static void ddlRouter(Map<String, String> source, String url, String prefix, List<String> tables) {
        source.put("transforms.greenlightDdl.tables", String.join(",", tables));
        source.put("transforms.greenlightDdl.topic.prefix", prefix);
        source.put("transforms.greenlightDdl.source.url", url);
        source.put("transforms.greenlightDdl.source.username", "postgres");
        source.remove("transforms.greenlightDdl.source.password");
    }

    /** greenlight-sink.json for {@code db} on the MariaDB target, reading the topics of {@code tables} (schema.table). */
    public static Map<String, String> sink(TestServers servers, String db, String prefix, List<String> tables, int tasks)
            throws IOException {
        Map<String, String> sink = config("greenlight-sink.json");
        sink.put("tasks.max", String.valueOf(tasks));
        sink.put("topics", String.join(",", tables.stream().map(t -> prefix + "." + t).toList()));
        sink.put("tables", String.join(",", tables));
        sink.put("topic.prefix", prefix);
        sink.put("source.url", servers.postgres.jdbcUrl(db));
        sink.put("source.username", "postgres");
        sink.remove("source.password");
        sink.put("target.url", servers.mariadb.jdbcUrl(db));
        sink.put("target.username", "root");
        sink.remove("target.password");
        sink.put("consumer.override.max.poll.records", "500");
        return sink;
    }
}
