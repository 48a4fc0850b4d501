package io.greenlight.apply;

import org.apache.kafka.connect.data.Schema;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connect schemas by the exact bytes of their JSON, least recently used dropped first. Every
 * message of a table carries the same schema JSON until DDL changes it, so comparing bytes is far
 * cheaper than parsing the JSON into a tree and hashing that (JFR, bench/results.md). Not
 * thread-safe: one per decoder.
 */
final class SchemaCache {

    private final Map<Key, Schema> entries;

    SchemaCache(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Schema> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The schema cached for bytes {@code [from, to)} of {@code json}, or null. */
    Schema get(byte[] json, int from, int to) {
        return entries.get(new Key(json, from, to));
    }

    /** Caches a copy of the bytes (the message they came from is not kept). */
    void put(byte[] json, int from, int to, Schema schema) {
        entries.put(new Key(Arrays.copyOfRange(json, from, to), 0, to - from), schema);
    }

    int size() {
        return entries.size();
    }

    /** A byte range compared by content; lookups wrap the message's bytes without copying them. */
    private static final class Key {
        private final byte[] bytes;
        private final int from;
        private final int to;
        private final int hash;

        Key(byte[] bytes, int from, int to) {
            this.bytes = bytes;
            this.from = from;
            this.to = to;
            int h = 1;
            for (int i = from; i < to; i++) {
                h = 31 * h + bytes[i];
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && hash == other.hash
                    && Arrays.equals(bytes, from, to, other.bytes, other.from, other.to);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
