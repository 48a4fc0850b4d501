package io.greenlight.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Optional;

/** The source commit time a Debezium change record carries (JSON, with or without the schema envelope). */
final class RecordTimes {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The source commit time of a change, and whether it is a snapshot read. */
    record Stamp(long tsMs, boolean snapshotRead) {
    }

    private RecordTimes() {
    }

    /** {@code payload.source.ts_ms} (and {@code op = r}); empty for a tombstone or a value without it. */
    static Optional<Stamp> of(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(value);
            JsonNode payload = root.has("payload") && root.has("schema") ? root.get("payload") : root;
            JsonNode ts = payload.path("source").path("ts_ms");
            if (!ts.canConvertToLong()) {
                return Optional.empty();
            }
            return Optional.of(new Stamp(ts.asLong(), "r".equals(payload.path("op").asText())));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
