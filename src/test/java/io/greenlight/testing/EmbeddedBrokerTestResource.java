package io.greenlight.testing;

import java.util.Map;

/** Like {@link FaultsTestResource}, but Greenlight runs its own embedded Kafka broker. */
public class EmbeddedBrokerTestResource extends FaultsTestResource {

    public static final String DATABASE = "faults_embedded";

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
