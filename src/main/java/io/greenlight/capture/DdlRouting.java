package io.greenlight.capture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.DdlEvent;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Where a DDL message (a logical decoding message with prefix {@link DdlEvent#PREFIX}) goes: a
 * message has no table of its own, so it is routed into the topic of the captured table it
 * affects, where apply meets it in order with that table's changes. A table renamed on the source
 * is found by its oid; the message then names it as captured ({@code capturedAs}). DDL of tables
 * Greenlight does not capture is not published.
 */
public final class DdlRouting {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The topic to publish to, and the message value (possibly naming the captured table). */
    public record Route(String topic, Struct value) {
    }

    private final Map<TableId, String> topics;
    private final Map<Long, TableId> byOid;
    private final java.util.Set<String> migratedSchemas;
    private final java.util.function.Consumer<TableId> created;
    private final java.util.function.BiConsumer<TableId, TableId> renamed;

    /** {@code topics}: each captured table's topic; {@code byOid}: the captured tables by their source oid. */
    public DdlRouting(Map<TableId, String> topics, Map<Long, TableId> byOid) {
        this(topics, byOid, java.util.Set.of(), table -> { });
    }

    /**
     * Also reports a table created in one of {@code migratedSchemas} (every table of which is captured)
     * to {@code created}, which makes it captured: nothing of it was published before, so it is copied.
     */
    public DdlRouting(Map<TableId, String> topics, Map<Long, TableId> byOid, java.util.Set<String> migratedSchemas,
                      java.util.function.Consumer<TableId> created) {
        this(topics, byOid, migratedSchemas, created, null);
    }

    /**
     * Also reports a captured table renamed into one of {@code migratedSchemas} to {@code renamed} (captured
     * name, new name), which copies it under its new name; the message then says so ({@code copiedAs}).
     * Without it (null) a rename stops the table.
     */
    public DdlRouting(Map<TableId, String> topics, Map<Long, TableId> byOid, java.util.Set<String> migratedSchemas,
                      java.util.function.Consumer<TableId> created, java.util.function.BiConsumer<TableId, TableId> renamed) {
        this.topics = Map.copyOf(topics);
        this.byOid = Map.copyOf(byOid);
        this.migratedSchemas = java.util.Set.copyOf(migratedSchemas);
        this.created = created;
        this.renamed = renamed;
    }

    /** Routing for the captured tables, their oids read from the source. */
    public static DdlRouting of(java.sql.Connection source, java.util.Collection<TableId> tables,
                                java.util.function.Function<TableId, String> topicOf, java.util.Set<String> migratedSchemas,
                                java.util.function.Consumer<TableId> created,
                                java.util.function.BiConsumer<TableId, TableId> renamed) throws java.sql.SQLException {
        Map<TableId, String> topics = new java.util.HashMap<>();
        Map<Long, TableId> byOid = new java.util.HashMap<>();
        try (java.sql.PreparedStatement ps = source.prepareStatement("SELECT to_regclass(?)::oid")) {
            for (TableId table : tables) {
                topics.put(table, topicOf.apply(table));
                ps.setString(1, table.quoted());
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getObject(1) != null) {
                        byOid.put(rs.getLong(1), table);
                    }
                }
            }
        }
        return new DdlRouting(topics, byOid, migratedSchemas, created, renamed);
    }

    public static DdlRouting none() {
        return new DdlRouting(Map.of(), Map.of());
    }

    public static boolean isDdlMessage(SourceRecord record) {
        return record.value() instanceof Struct envelope && envelope.schema().field("op") != null
                && ChangeOp.of(envelope.getString("op")) == ChangeOp.MESSAGE && envelope.schema().field("message") != null
                && envelope.getStruct("message") != null
                && DdlEvent.PREFIX.equals(envelope.getStruct("message").getString("prefix"));
    }

    /** Empty for DDL of a table that is not captured. */
    public Optional<Route> route(SourceRecord record) {
        Struct envelope = (Struct) record.value();
        Struct message = envelope.getStruct("message");
        byte[] content = bytes(message.get("content"));
        ObjectNode json;
        try {
            json = (ObjectNode) JSON.readTree(content);
        } catch (IOException e) {
            throw new UncheckedIOException("A " + DdlEvent.PREFIX + " message is not JSON: " + e.getMessage(), e);
        }
        TableId named = new TableId(json.path("schema").asText(), json.path("table").asText());
        Long oid = json.path("definition").hasNonNull("oid") ? Long.parseLong(json.path("definition").get("oid").asText()) : null;
        if (topics.containsKey(named)) {
            if (oid == null || !byOid.containsValue(named) || named.equals(byOid.get(oid))) {
                return Optional.of(new Route(topics.get(named), envelope));
            }
            // Another table now has the captured table's name (a table swap: renamed into its place)
            json.put("replaced", true);
            return Optional.of(new Route(topics.get(named), rewritten(envelope, message, json)));
        }
        TableId captured = oid != null ? byOid.get(oid) : null;
        if (captured == null || !topics.containsKey(captured)) {
            if (json.path("tag").asText().startsWith("CREATE TABLE") || "SELECT INTO".equals(json.path("tag").asText())) {
                // A new partition of a captured table is published through its root (publish_via_partition_root).
                if (migratedSchemas.contains(named.schema()) && json.hasNonNull("definition")
                        && !json.get("definition").path("partition").asBoolean(false)) {
                    created.accept(named);
                }
            }
            return Optional.empty();
        }
        json.putObject("capturedAs").put("schema", captured.schema()).put("table", captured.table());
        if (renamed != null && migratedSchemas.contains(named.schema()) && json.hasNonNull("definition")) {
            // Renamed (ALTER TABLE … RENAME TO, SET SCHEMA) into a migrated schema: copied under the new name.
            json.putObject("copiedAs").put("schema", named.schema()).put("table", named.table());
            renamed.accept(captured, named);
        }
        return Optional.of(new Route(topics.get(captured), rewritten(envelope, message, json)));
    }

    /** The envelope with the message's content replaced by {@code json}. */
    private static Struct rewritten(Struct envelope, Struct message, ObjectNode json) {
        Struct renamed = new Struct(message.schema());
        for (Field field : message.schema().fields()) {
            renamed.put(field, message.get(field));
        }
        byte[] rewritten = json.toString().getBytes(StandardCharsets.UTF_8);
        renamed.put("content", message.get("content") instanceof ByteBuffer ? ByteBuffer.wrap(rewritten) : rewritten);
        Struct value = new Struct(envelope.schema());
        for (Field field : envelope.schema().fields()) {
            value.put(field, field.name().equals("message") ? renamed : envelope.get(field));
        }
        return value;
    }

    private static byte[] bytes(Object content) {
        if (content instanceof byte[] bytes) {
            return bytes;
        }
        ByteBuffer buffer = ((ByteBuffer) content).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
