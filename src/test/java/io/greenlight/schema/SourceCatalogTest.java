package io.greenlight.schema;

import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table model read from a real PostgreSQL catalog. */
class SourceCatalogTest {

    private static final String DB = "catalog_test";

    @BeforeAll
    static void createTables() throws Exception {
        TestServers.get().postgres.createDatabase(DB);
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            Sql.exec(c, "CREATE TABLE \"Odd \"\"Name\"\"\" (a int, b text, \"key\" bigint, PRIMARY KEY (\"key\", a))",
                    "CREATE TABLE typed (id bigserial PRIMARY KEY, amount numeric(12,2), free numeric, label varchar(40),"
                            + " ts timestamp, ts3 timestamp(3), tstz timestamptz, tags text[], flag boolean NOT NULL)");
        }
    }

    @Test
    void compositePrimaryKeyKeepsItsDeclaredColumnOrderAndOddNamesResolve() throws Exception {
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            SourceTable table = new SourceCatalog(c).table(new TableId("public", "Odd \"Name\"")).orElseThrow();
            assertEquals(List.of("key", "a"), table.primaryKey());
            assertEquals(List.of("a", "b", "key"), table.columns().stream().map(SourceColumn::name).toList());
        }
    }

    @Test
    void columnTypesCarryPrecisionScaleLengthAndArrayness() throws Exception {
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            SourceTable table = new SourceCatalog(c).table(new TableId("public", "typed")).orElseThrow();
            SourceColumn amount = table.column("amount").orElseThrow();
            assertEquals(12, amount.precision());
            assertEquals(2, amount.scale());
            assertEquals(-1, table.column("free").orElseThrow().precision());
            assertEquals(40, table.column("label").orElseThrow().length());
            assertEquals(6, table.column("ts").orElseThrow().precision());
            assertEquals(3, table.column("ts3").orElseThrow().precision());
            SourceColumn tags = table.column("tags").orElseThrow();
            assertTrue(tags.array());
            assertEquals("text", tags.typeName());
            assertFalse(table.column("flag").orElseThrow().nullable());
            assertTrue(table.column("id").orElseThrow().defaultExpression().startsWith("nextval("));
        }
    }

    @Test
    void domainsResolveToTheirBaseTypeEnumsCarryLabelsAndUniqueKeysAreRead() throws Exception {
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            Sql.exec(c, "CREATE TYPE level AS ENUM ('low', 'it''s high')", "CREATE DOMAIN short_name AS varchar(12)",
                    "CREATE TABLE shaped (id int PRIMARY KEY, lvl level, nm short_name, code text UNIQUE,"
                            + " a int, b int, late text UNIQUE DEFERRABLE, UNIQUE (a, b))");
            SourceTable table = new SourceCatalog(c).table(new TableId("public", "shaped")).orElseThrow();
            assertEquals(List.of("low", "it's high"), table.column("lvl").orElseThrow().enumLabels());
            assertEquals("varchar", table.column("nm").orElseThrow().typeName());
            assertEquals(12, table.column("nm").orElseThrow().length());
            assertEquals(List.of(List.of("code"), List.of("a", "b")), table.uniqueKeys(), "deferrable keys are left out");
        }
    }

    @Test
    void missingValueOfAnAddedColumnSurvivesATableRewriteWhenItsDefaultIsConstant() throws Exception {
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            Sql.exec(c, "CREATE TABLE grown (id int PRIMARY KEY, n int)", "INSERT INTO grown VALUES (1, 1)",
                    "ALTER TABLE grown ADD COLUMN d int DEFAULT 7, ADD COLUMN s text DEFAULT 'it''s',"
                            + " ADD COLUMN t timestamptz DEFAULT now(), ADD COLUMN plain text");
            SourceCatalog catalog = new SourceCatalog(c);
            SourceTable table = catalog.table(new TableId("public", "grown")).orElseThrow();
            assertEquals("7", catalog.missingValue(table.id(), table.column("d").orElseThrow()).orElseThrow());
            assertTrue(catalog.missingValue(table.id(), table.column("plain").orElseThrow()).isEmpty());
            Sql.exec(c, "ALTER TABLE grown ALTER n TYPE bigint"); // rewrites the table: missing values are materialized
            table = catalog.table(new TableId("public", "grown")).orElseThrow();
            assertEquals("7", catalog.missingValue(table.id(), table.column("d").orElseThrow()).orElseThrow());
            assertEquals("it's", catalog.missingValue(table.id(), table.column("s").orElseThrow()).orElseThrow());
            assertTrue(catalog.missingValue(table.id(), table.column("t").orElseThrow()).isEmpty());
        }
    }

    @Test
    void missingTableIsEmpty() throws Exception {
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            assertTrue(new SourceCatalog(c).table(new TableId("public", "nope")).isEmpty());
        }
    }
}
