package io.greenlight.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One DDL statement's effect on one table, as the source's event trigger wrote it into the WAL
 * (pg_logical_emit_message with prefix {@link #PREFIX}, in the statement's own transaction):
 * the command tag, the object it named, the statement text, the table it affects and that table's
 * definition right after it ({@code definition} is empty when the table itself was dropped; {@code droppedOid}
 * is then the dropped table's oid). {@code copiedAs}: the table was renamed into a migrated schema and
 * capture copies it under that name. {@code replaced}: the definition is of another table that took the
 * captured table's name (a table swap).
 */
public record DdlEvent(String tag, String objectType, String identity, String statement, TableId table,
                       Optional<TableDefinition> definition, Long droppedOid, Optional<TableId> copiedAs,
                       boolean replaced) {

    /** The logical decoding message prefix of Greenlight's DDL events. */
    public static final String PREFIX = "greenlight.ddl";

    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean dropsTable() {
        return definition.isEmpty();
    }

    /** The statement as the source ran it, shortened for messages. */
    public String statementText() {
        String text = statement == null ? "(unknown)" : statement.strip().replaceAll("\\s+", " ");
        return text.length() > 500 ? text.substring(0, 500) + " …" : text;
    }

    public static DdlEvent parse(byte[] content) {
        return parse(new String(content, StandardCharsets.UTF_8));
    }

    public static DdlEvent parse(String content) {
        try {
            JsonNode json = JSON.readTree(content);
            // A table renamed on the source is named as it is captured (see capture's DdlRouting).
            JsonNode captured = json.hasNonNull("capturedAs") ? json.get("capturedAs") : json;
            TableId table = new TableId(captured.get("schema").asText(), captured.get("table").asText());
            JsonNode definition = json.get("definition");
            return new DdlEvent(json.path("tag").asText(), json.path("objectType").asText(), json.path("identity").asText(),
                    json.hasNonNull("statement") ? json.get("statement").asText() : null, table,
                    definition == null || definition.isNull() ? Optional.empty() : Optional.of(TableDefinition.parse(definition)),
                    json.hasNonNull("oid") ? Long.valueOf(json.get("oid").asText()) : null,
                    json.hasNonNull("copiedAs") ? Optional.of(new TableId(json.get("copiedAs").get("schema").asText(),
                            json.get("copiedAs").get("table").asText())) : Optional.empty(),
                    json.path("replaced").asBoolean(false));
        } catch (IOException e) {
            throw new UncheckedIOException("A " + PREFIX + " message is not the JSON Greenlight's DDL trigger writes: "
                    + e.getMessage(), e);
        }
    }
}
