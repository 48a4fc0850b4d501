package io.greenlight.testing;

import java.sql.Connection;
import java.util.Map;

/**
 * Source tables for the lost-changes tests: prices (an unconstrained numeric the MariaDB target
 * cannot always hold, to pause it) and notes; Debezium's initial snapshot (not the backfill),
 * so a recopy is the only copy Greenlight's own backfill makes.
 */
public class LostChangesTestResource extends PipelineTestResource {

    public static final String DATABASE = "lost_changes";
    public static final String API_TOKEN = "lost-token-6a3f9c1e8b2d5a7f0c4e9b1d";

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c,
                "CREATE TABLE prices (id int PRIMARY KEY, amount numeric)",
                "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                "INSERT INTO notes VALUES (1, 'before start')");
    }

    @Override
    protected void configure(Map<String, String> config) {
        config.put("greenlight.api.token", API_TOKEN);
        config.put("greenlight.source.snapshot-mode", "initial");
    }
}
