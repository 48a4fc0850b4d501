package io.greenlight.controlplane;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The source commit time of a Debezium change as Connect's JsonConverter writes it. */
class RecordTimesTest {

    @Test
    void aChangeWithTheSchemaEnvelopeCarriesItsSourceCommitTime() {
        String value = "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"before\":null,\"after\":{\"id\":1},"
                + "\"source\":{\"ts_ms\":1733240000123,\"lsn\":24023128},\"op\":\"c\",\"ts_ms\":1733240000200}}";
        assertEquals(Optional.of(new RecordTimes.Stamp(1733240000123L, false)),
                RecordTimes.of(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSnapshotReadIsMarkedAsOne() {
        String value = "{\"before\":null,\"after\":{\"id\":1},\"source\":{\"ts_ms\":1733240000123},\"op\":\"r\"}";
        assertEquals(Optional.of(new RecordTimes.Stamp(1733240000123L, true)),
                RecordTimes.of(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aTombstoneOrAValueWithoutSourceTimeHasNone() {
        assertEquals(Optional.empty(), RecordTimes.of(null));
        assertEquals(Optional.empty(), RecordTimes.of("{\"payload\":{\"op\":\"c\"}}".getBytes(StandardCharsets.UTF_8)));
    }
}
