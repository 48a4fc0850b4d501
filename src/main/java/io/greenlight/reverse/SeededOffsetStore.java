package io.greenlight.reverse;

import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reverse engine's offset store: it starts from the offset reverse apply committed on the old
 * source ({@link ReverseOffsets}), handed over by {@link #seed} before the engine starts, and keeps
 * what the engine flushes in memory only. The old source's row is the one record of the position,
 * written in the same transaction as the changes it covers.
 */
public final class SeededOffsetStore extends MemoryOffsetBackingStore {

    private static final Map<String, Seed> SEEDS = new ConcurrentHashMap<>();

    private record Seed(String server, Map<String, Object> offset) {
    }

    /** The offset the engine named {@code engine} (Debezium's {@code name}) starts from. */
    static void seed(String engine, String server, Map<String, Object> offset) {
        SEEDS.put(engine, new Seed(server, offset));
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        String engine = config.originalsStrings().get("name");
        Seed seed = SEEDS.get(engine);
        if (seed == null) {
            throw new IllegalStateException("No starting position was handed to reverse engine " + engine);
        }
        try (JsonConverter keys = new JsonConverter(); JsonConverter values = new JsonConverter()) {
            keys.configure(Map.of("schemas.enable", "false"), true);
            values.configure(Map.of("schemas.enable", "false"), false);
            byte[] key = keys.fromConnectData(engine, null, List.of(engine, Map.of("server", seed.server())));
            byte[] value = values.fromConnectData(engine, null, seed.offset());
            data.put(ByteBuffer.wrap(key), ByteBuffer.wrap(value));
        }
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }
}
