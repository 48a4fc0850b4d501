package io.greenlight.testing;

import java.sql.Connection;
import java.util.Map;

/**
 * A source like a managed PostgreSQL without a role that may create event triggers: Greenlight's
 * user owns the application's tables and may replicate, but is no superuser; and
 * greenlight.schema.ddl-capture=off.
 */
public class DdlCaptureOffTestResource extends PipelineTestResource {

    public static final String DATABASE = "ddl_capture_off_app";
    public static final String USER = "ddl_off_app";

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c, "DO $$ BEGIN CREATE ROLE " + USER + " LOGIN REPLICATION; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "GRANT CREATE ON DATABASE " + DATABASE + " TO " + USER,
                "CREATE TABLE items (id int PRIMARY KEY, label text)",
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20) g",
                "ALTER TABLE items OWNER TO " + USER);
    }

    @Override
    protected void configure(Map<String, String> config) {
        config.put("greenlight.source.username", USER);
        config.put("greenlight.schema.ddl-capture", "off");
    }
}
