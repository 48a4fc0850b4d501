package io.greenlight.capture;

import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How rows are identified, and how partitioned tables are published, checked at start against a real PostgreSQL. */
class SourcePreflightKeysTest {

    private static final String DB = "preflight_keys";
    private static final TableId BY_INDEX = new TableId("public", "by_index");
    private static final TableId MEASURES = new TableId("public", "measures");

    @BeforeAll
    static void createTables() throws Exception {
        TestServers.get().postgres.createDatabase(DB);
        try (Connection c = connect()) {
            Sql.exec(c, "CREATE TABLE by_index (code text NOT NULL, region int NOT NULL, n int, other int NOT NULL UNIQUE)",
                    "CREATE UNIQUE INDEX by_index_key ON by_index (region, code)",
                    "ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_key",
                    "CREATE TABLE nothing (id int PRIMARY KEY)",
                    "ALTER TABLE nothing REPLICA IDENTITY NOTHING",
                    "CREATE TABLE measures (id bigint, at date, v int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
                    "CREATE TABLE measures_2024 PARTITION OF measures FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                    "CREATE TABLE measures_rest PARTITION OF measures DEFAULT");
        }
    }

    private static Connection connect() throws Exception {
        return TestServers.get().postgres.connect(DB);
    }

    @Test
    void aTableWithoutPrimaryKeyIsKeyedByItsReplicaIdentityIndex() throws Exception {
        try (Connection c = connect()) {
            Map<TableId, SourceTable> tables = new SourcePreflight(c).prepare(List.of(BY_INDEX), "pub_index", "slot_index");
            SourceTable table = tables.get(BY_INDEX);
            assertEquals(List.of("region", "code"), table.primaryKey());
            assertEquals(List.of(List.of("other")), table.uniqueKeys(), "the identity index is the key, not also a unique key");
            assertEquals(java.util.Optional.of("public\\.by_index:region,code"), DebeziumProperties.messageKeyColumns(tables.values()));
        }
    }

    @Test
    void replicaIdentityNothingIsStillRefused() throws Exception {
        try (Connection c = connect()) {
            SourceNotReadyException e = assertThrows(SourceNotReadyException.class, () -> new SourcePreflight(c)
                    .prepare(List.of(new TableId("public", "nothing")), "pub_nothing", "slot_nothing"));
            assertTrue(e.getMessage().contains("REPLICA IDENTITY NOTHING"), e.getMessage());
        }
    }

    @Test
    void greenlightPublishesAPartitionedTableThroughItsRoot() throws Exception {
        try (Connection c = connect()) {
            new SourcePreflight(c).prepare(List.of(MEASURES), "pub_created", "slot_created");
            assertEquals(List.of(List.of("true")), Sql.rows(c, "SELECT pubviaroot::text FROM pg_publication WHERE pubname = 'pub_created'"));
            // A publication Greenlight created before it did this is corrected at the next start.
            Sql.exec(c, "ALTER PUBLICATION pub_created SET (publish_via_partition_root = false)");
            new SourcePreflight(c).prepare(List.of(MEASURES), "pub_created", "slot_created");
            assertEquals(List.of(List.of("true")), Sql.rows(c, "SELECT pubviaroot::text FROM pg_publication WHERE pubname = 'pub_created'"));
        }
    }

    @Test
    void anOperatorsPublicationOfPartitionsIsRefusedWithTheStatementThatFixesIt() throws Exception {
        try (Connection c = connect()) {
            Sql.exec(c, "CREATE PUBLICATION pub_operator FOR TABLE measures");
            SourceNotReadyException e = assertThrows(SourceNotReadyException.class,
                    () -> new SourcePreflight(c).prepare(List.of(MEASURES), "pub_operator", "slot_operator"));
            String fix = "ALTER PUBLICATION \"pub_operator\" SET (publish_via_partition_root = true);";
            assertTrue(e.getMessage().contains("publishes the partitioned table(s) [public.measures] as their partitions"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Run: " + fix), e.getMessage());
            Sql.exec(c, fix);
            assertEquals(MEASURES, new SourcePreflight(c).prepare(List.of(MEASURES), "pub_operator", "slot_operator")
                    .keySet().iterator().next());
        }
    }

    @Test
    void partitionsOfAKeylessPartitionedTableNeedTheirOwnReplicaIdentityAndTheAdvisedStatementsWork() throws Exception {
        TableId readings = new TableId("public", "readings");
        try (Connection c = connect()) {
            Sql.exec(c, "CREATE TABLE readings (sensor int, at date, v int) PARTITION BY RANGE (at)",
                    "CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                    "CREATE TABLE readings_later PARTITION OF readings FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
                            + " PARTITION BY RANGE (sensor)",
                    "CREATE TABLE readings_later_low PARTITION OF readings_later FOR VALUES FROM (0) TO (100)",
                    "CREATE TABLE readings_rest PARTITION OF readings DEFAULT",
                    "ALTER TABLE readings REPLICA IDENTITY FULL", "ALTER TABLE readings_rest REPLICA IDENTITY FULL");
            SourceNotReadyException e = assertThrows(SourceNotReadyException.class,
                    () -> new SourcePreflight(c).prepare(List.of(readings), "pub_readings", "slot_readings"));
            List<String> problems = List.of(e.getMessage().split("\n"));
            assertEquals(2, problems.size(), e.getMessage());
            assertTrue(problems.get(0).startsWith("Partition readings_2024 of public.readings has no replica identity of its own"),
                    problems.get(0));
            for (String problem : problems) {
                Sql.exec(c, problem.substring(problem.indexOf("Run: ") + 5));
            }
            assertEquals(0, Sql.rows(c, "SELECT 1 FROM pg_publication WHERE pubname = 'pub_readings'").size(),
                    "nothing is published before the partitions can be");
            new SourcePreflight(c).prepare(List.of(readings), "pub_readings", "slot_readings");
            Sql.exec(c, "INSERT INTO readings VALUES (1, '2025-03-01', 1)", "UPDATE readings SET v = 2",
                    "DELETE FROM readings");
        }
    }

    @Test
    void partitionsOfATableKeyedByAReplicaIdentityIndexAreToldWhichIndexToUse() throws Exception {
        TableId keyed = new TableId("public", "keyed_parts");
        try (Connection c = connect()) {
            Sql.exec(c, "CREATE TABLE keyed_parts (id int NOT NULL, at date NOT NULL, v int) PARTITION BY RANGE (at)",
                    "CREATE UNIQUE INDEX keyed_parts_key ON keyed_parts (id, at)",
                    "ALTER TABLE keyed_parts REPLICA IDENTITY USING INDEX keyed_parts_key",
                    "CREATE TABLE keyed_parts_2024 PARTITION OF keyed_parts FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
            SourceNotReadyException e = assertThrows(SourceNotReadyException.class,
                    () -> new SourcePreflight(c).prepare(List.of(keyed), "pub_keyed", "slot_keyed"));
            String fix = "ALTER TABLE keyed_parts_2024 REPLICA IDENTITY USING INDEX keyed_parts_2024_id_at_idx;";
            assertTrue(e.getMessage().endsWith("Run: " + fix), e.getMessage());
            Sql.exec(c, fix);
            SourceTable table = new SourcePreflight(c).prepare(List.of(keyed), "pub_keyed", "slot_keyed").get(keyed);
            assertEquals(List.of("id", "at"), table.primaryKey());
        }
    }
}
