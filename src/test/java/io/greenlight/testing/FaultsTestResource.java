package io.greenlight.testing;

import java.sql.Connection;
import java.util.Map;

/** A source with a write-load schema (accounts + keyless ledger), for fault tests against the shared servers. */
public class FaultsTestResource extends PipelineTestResource {

    public static final String DATABASE = "faults";
    public static final String API_TOKEN = "faults-token-3b8f1e6a9c2d5f0b7e4a1c8d";

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection source) throws Exception {
        Sql.exec(source, WriteLoad.SCHEMA);
    }

    @Override
    protected void configure(Map<String, String> config) {
        config.put("greenlight.api.token", API_TOKEN);
    }
}
