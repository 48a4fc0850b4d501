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

    /** A schema and a copy of the JSON bytes it was built from. */
    record Cached(byte[] json, Schema schema) {
    }

    private final Map<Key, Cached> entries;

    SchemaCache(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The entry cached for bytes {@code [from, to)} of {@code json}, or null. */
    Cached get(byte[] json, int from, int to) {
        return entries.get(new Key(json, from, to));
    }

    /** Caches a copy of the bytes (the message they came from is not kept). */
    Cached put(byte[] json, int from, int to, Schema schema) {
        byte[] copy = Arrays.copyOfRange(json, from, to);
        Cached cached = new Cached(copy, schema);
        entries.put(new Key(copy, 0, copy.length), cached);
        return cached;
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
