package io.greenlight.testing;

import java.util.Map;

/** The write-load schema, Greenlight's own embedded broker, and its data-dir as a test can lose it. */
public class LostCaptureOffsetsTestResource extends FaultsTestResource {

    public static final String DATABASE = "lost_offsets";

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void configure(Map<String, String> config) {
        super.configure(config);
        config.remove("greenlight.kafka.bootstrap-servers");
    }
}
