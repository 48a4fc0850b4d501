package io.greenlight.controlplane;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading Debezium PostgreSQL's offsets as Kafka Connect stores them in its offsets topic. */
class ConnectSourceOffsetsTest {

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aKeyMatchesOnlyTheNamedConnectorsPartitionForTheTopicPrefix() {
        assertTrue(ConnectSourceOffsets.matches(bytes("[\"shop-source\",{\"server\":\"shop\"}]"), "shop-source", "shop"));
        assertFalse(ConnectSourceOffsets.matches(bytes("[\"other-source\",{\"server\":\"shop\"}]"), "shop-source", "shop"));
        assertFalse(ConnectSourceOffsets.matches(bytes("[\"shop-source\",{\"server\":\"shop2\"}]"), "shop-source", "shop"));
        assertFalse(ConnectSourceOffsets.matches(bytes("not json"), "shop-source", "shop"));
        assertFalse(ConnectSourceOffsets.matches(null, "shop-source", "shop"));
    }

    @Test
    void aStreamingOffsetCarriesItsLsnAndNoSnapshot() {
        Optional<ConnectSourceOffsets.Committed> committed = ConnectSourceOffsets.parse(bytes(
                "{\"transaction_id\":null,\"lsn_proc\":24023128,\"messageType\":\"INSERT\",\"lsn_commit\":24023064,"
                        + "\"lsn\":24023128,\"txId\":755,\"ts_usec\":1733240000000000}"));
        assertEquals(Optional.of(new ConnectSourceOffsets.Committed(24023128, false)), committed);
    }

    @Test
    void aSnapshotOffsetIsSnapshottingUntilItsLastRecord() {
        assertTrue(ConnectSourceOffsets.parse(bytes("{\"last_snapshot_record\":false,\"lsn\":23000000,\"txId\":750,"
                + "\"ts_usec\":1733240000000000,\"snapshot\":\"INITIAL\"}")).orElseThrow().snapshot());
        assertFalse(ConnectSourceOffsets.parse(bytes("{\"last_snapshot_record\":true,\"lsn\":23000000,\"txId\":750,"
                + "\"ts_usec\":1733240000000000,\"snapshot\":\"INITIAL\"}")).orElseThrow().snapshot());
    }

    @Test
    void anOffsetWithoutLsnTellsNothing() {
        assertEquals(Optional.empty(), ConnectSourceOffsets.parse(bytes("{\"ts_usec\":1733240000000000}")));
        assertEquals(Optional.empty(), ConnectSourceOffsets.parse(bytes("[1,2")));
    }
}
