package io.greenlight.testing;

import java.sql.Connection;
import java.util.Map;

/**
 * A realistic mixed source database for SchemaPipelineTest: tables keyed by each replica identity
 * (primary key, FULL, USING INDEX), a wide table of many VARCHARs, text keys that differ only by
 * case or trailing spaces, a serial key holding 0, unconstrained numerics wider than DECIMAL(65,30),
 * a partitioned table with a sub-partitioned partition and default partitions, and a keyless
 * partitioned table (REPLICA IDENTITY FULL on it and on each partition). Rows exist before start (the backfill copies them); the test
 * changes them while streaming.
 */
public class SchemaTestResource extends PipelineTestResource {

    public static final String DATABASE = "schema_mix";
    public static final String API_TOKEN = "schema-token-4d9b2e7a1f6c3e8b0a5d2f9c";
    /** Columns of the wide table besides its key: 20 × varchar(1000) is 80,000 bytes in utf8mb4. */
    public static final int WIDE_COLUMNS = 20;
    /** A numeric key of 38 digits: more integer digits than DECIMAL(65,30) holds. */
    public static final String KEY_38_DIGITS = "12345678901234567890123456789012345678";

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        StringBuilder wide = new StringBuilder("CREATE TABLE wide (id int PRIMARY KEY");
        StringBuilder wideRow = new StringBuilder("INSERT INTO wide SELECT g");
        for (int i = 1; i <= WIDE_COLUMNS; i++) {
            wide.append(", c").append(i).append(" varchar(1000)");
            wideRow.append(", repeat(CASE WHEN g % 2 = 0 THEN 'ü' ELSE '😀' END, 1000)");
        }
        Sql.exec(c,
                "CREATE TABLE ri_default (id int PRIMARY KEY, v text)",
                "INSERT INTO ri_default SELECT g, 'v' || g FROM generate_series(1, 50) g",
                "CREATE TABLE ri_full (name text, qty int)",
                "ALTER TABLE ri_full REPLICA IDENTITY FULL",
                "INSERT INTO ri_full VALUES ('a', 1), ('a', 1), ('b', NULL)",
                "CREATE TABLE ri_index (code text NOT NULL, region int NOT NULL, qty int, note text)",
                "CREATE UNIQUE INDEX ri_index_key ON ri_index (region, code)",
                "ALTER TABLE ri_index REPLICA IDENTITY USING INDEX ri_index_key",
                "INSERT INTO ri_index VALUES ('a', 1, 1, 'x'), ('b', 1, 2, NULL), ('a', 2, 3, 'y'), ('c', 3, 4, 'z')",
                wide.append(", code varchar(20))").toString(),
                wideRow.append(", 'code' || g FROM generate_series(1, 3) g").toString(),
                "CREATE TABLE text_keys (k text PRIMARY KEY, email varchar(100) UNIQUE, v int)",
                "INSERT INTO text_keys VALUES ('abc', 'a@x', 1), ('abc ', 'A@x', 2), ('Abc', 'a@x ', 3), ('ABC', 'a@X', 4)",
                "CREATE TABLE serials (id serial PRIMARY KEY, v text)",
                "INSERT INTO serials VALUES (0, 'zero'), (1, 'one'), (2, 'two')",
                "SELECT setval('serials_id_seq', 2)",
                "CREATE TABLE amounts (id numeric PRIMARY KEY, free numeric, fine numeric, huge numeric)",
                "INSERT INTO amounts VALUES (" + KEY_38_DIGITS + ", 1" + "0".repeat(39) + ", 0.25, 1" + "0".repeat(60) + ".1234567),"
                        + " (-" + KEY_38_DIGITS + ", -9" + "9".repeat(39) + ".5, 1.5, -0.5), (1, NULL, NULL, NULL)",
                "CREATE TABLE widening (id int PRIMARY KEY, fine numeric, free numeric)",
                "INSERT INTO widening VALUES (1, 0.25, 1" + "0".repeat(39) + "), (2, 1.5, -9" + "9".repeat(39) + ".5)",
                "CREATE TABLE beyond (id int PRIMARY KEY, v numeric)",
                "INSERT INTO beyond VALUES (1, 1.5)",
                // schema evolution during streaming (SchemaPipelineTest's DDL tests)
                "CREATE TABLE renamed (id int PRIMARY KEY, a text, n int NOT NULL DEFAULT 0)",
                "INSERT INTO renamed SELECT g, 'a' || g, 0 FROM generate_series(1, 200) g",
                "CREATE TABLE added_constant (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)",
                "INSERT INTO added_constant SELECT g, 0 FROM generate_series(1, 200) g",
                "CREATE TABLE added_volatile (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)",
                "INSERT INTO added_volatile SELECT g, 0 FROM generate_series(1, 200) g",
                "CREATE TABLE dropped (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, gone text NOT NULL)",
                "INSERT INTO dropped SELECT g, 0, 'g' || g FROM generate_series(1, 200) g",
                // a unique key the dropped column is part of: the source drops it along with the column
                "CREATE UNIQUE INDEX dropped_gone_n ON dropped (gone, n)",
                "CREATE TABLE retyped (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, code varchar(10), small smallint)",
                "INSERT INTO retyped SELECT g, 0, 'c' || g, g FROM generate_series(1, 200) g",
                "CREATE TABLE narrowed (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, code varchar(20))",
                "INSERT INTO narrowed SELECT g, 0, 'c' || g FROM generate_series(1, 200) g",
                "CREATE TABLE indexed (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, code varchar(40), v int)",
                "INSERT INTO indexed SELECT g, 0, 'code' || g, g % 7 FROM generate_series(1, 200) g",
                "CREATE TABLE indexed_live (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, code varchar(40), v int)",
                "INSERT INTO indexed_live SELECT g, 0, 'code' || g, g % 7 FROM generate_series(1, 200) g",
                "CREATE TABLE dup_keys (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, email varchar(100))",
                "INSERT INTO dup_keys SELECT g, 0, 'u' || g || '@x' FROM generate_series(1, 200) g",
                "CREATE TYPE mood AS ENUM ('sad', 'ok')",
                "CREATE TABLE moods (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, m mood)",
                "INSERT INTO moods SELECT g, 0, (ARRAY['sad', 'ok']::mood[])[g % 2 + 1] FROM generate_series(1, 200) g",
                "CREATE TABLE renamed_offline (id int PRIMARY KEY, a text)",
                "INSERT INTO renamed_offline SELECT g, 'a' || g FROM generate_series(1, 50) g",
                "CREATE TABLE doomed (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)",
                "INSERT INTO doomed SELECT g, 0 FROM generate_series(1, 200) g",
                "CREATE TABLE moved (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)",
                "INSERT INTO moved SELECT g, 0 FROM generate_series(1, 200) g",
                "CREATE TABLE migrated (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, name varchar(100))",
                "INSERT INTO migrated SELECT g, 0, 'name ' || g FROM generate_series(1, 200) g",
                "CREATE TABLE events (id bigint NOT NULL, region text NOT NULL, at date NOT NULL, v int,"
                        + " PRIMARY KEY (id, region, at)) PARTITION BY LIST (region)",
                "CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu')",
                "CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us')",
                "CREATE TABLE events_ap PARTITION OF events FOR VALUES IN ('ap') PARTITION BY RANGE (at)",
                "CREATE TABLE events_ap_2024 PARTITION OF events_ap FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "CREATE TABLE events_ap_other PARTITION OF events_ap DEFAULT",
                "CREATE TABLE events_other PARTITION OF events DEFAULT",
                "CREATE TABLE readings (sensor int, at date, v int) PARTITION BY RANGE (at)",
                "CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "CREATE TABLE readings_rest PARTITION OF readings DEFAULT",
                "ALTER TABLE readings REPLICA IDENTITY FULL",
                "ALTER TABLE readings_2024 REPLICA IDENTITY FULL",
                "ALTER TABLE readings_rest REPLICA IDENTITY FULL",
                "INSERT INTO readings SELECT g % 50, date '2024-01-01' + (g % 700), g % 7 FROM generate_series(1, 500) g",
                "INSERT INTO events SELECT g, (ARRAY['eu', 'us', 'ap', 'sa'])[g % 4 + 1], date '2024-01-01' + (g % 700), g"
                        + " FROM generate_series(1, 2000) g");
    }

    @Override
    protected void configure(Map<String, String> config) {
        config.put("greenlight.api.token", API_TOKEN);
    }

    /** The same database replicated to a PostgreSQL target. */
    public static class OnPostgres extends SchemaTestResource {

        public static final String DATABASE = "schema_mix_pg";

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
