package io.greenlight.testing;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.Header;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.List;

/** Change events as the embedded engine hands them to a consumer, around a record a test built. */
public final class EngineEvents {

    private EngineEvents() {
    }

    public static ChangeEvent<SourceRecord, SourceRecord> of(SourceRecord record) {
        return new ChangeEvent<>() {
            @Override
            public SourceRecord key() {
                return record;
            }

            @Override
            public SourceRecord value() {
                return record;
            }

            @Override
            public String destination() {
                return record.topic();
            }

            @Override
            public Integer partition() {
                return null;
            }

            @Override
            public <T> List<Header<T>> headers() {
                return List.of();
            }
        };
    }
}
