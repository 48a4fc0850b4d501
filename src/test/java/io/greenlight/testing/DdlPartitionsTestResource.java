package io.greenlight.testing;

import java.sql.Connection;
import java.util.Map;

/**
 * Change topics of two partitions (greenlight.kafka.partitions=2): a table's changes are spread over
 * both by key, and a DDL statement of the table reaches apply as one copy per partition.
 */
public class DdlPartitionsTestResource extends PipelineTestResource {

    public static final String DATABASE = "ddl_partitions";

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c, "CREATE TABLE spread (id int PRIMARY KEY, a text, n int NOT NULL DEFAULT 0)",
                "INSERT INTO spread SELECT g, 'a' || g, 0 FROM generate_series(1, 400) g");
    }

    @Override
    protected void configure(Map<String, String> config) {
        config.put("greenlight.kafka.partitions", "2");
    }

    /** The same with a PostgreSQL target. */
    public static class OnPostgres extends DdlPartitionsTestResource {

        public static final String DATABASE = "ddl_partitions_pg";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetEngine target() {
            return TargetEngine.POSTGRES;
        }
    }
}
