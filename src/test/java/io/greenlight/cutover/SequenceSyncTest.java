package io.greenlight.cutover;

import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.MySqlDialect;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sequence sync at cutover against a real source and each target engine. */
class SequenceSyncTest {

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aSequenceAColumnDefaultUsesWithoutOwningItIsSynced(TargetEngine engine) throws Exception {
        String db = "seq_sync_" + engine.name().toLowerCase();
        TestServers servers = TestServers.get();
        servers.postgres.createDatabase(db);
        engine.createDatabase(db);
        Dialect dialect = engine == TargetEngine.POSTGRES ? new PostgresDialect() : new MySqlDialect();
        try (Connection source = servers.postgres.connect(db); Connection target = engine.connect(db)) {
            // A hand-made sequence, not OWNED BY the column (pg_get_serial_sequence is NULL for it), shared by two tables.
            Sql.exec(source, "CREATE SEQUENCE shared_ids START 100",
                    "CREATE TABLE invoices (id bigint PRIMARY KEY DEFAULT nextval('shared_ids'), note text)",
                    "CREATE TABLE credits (id bigint PRIMARY KEY DEFAULT nextval('shared_ids'::regclass), note text)",
                    "INSERT INTO invoices (note) SELECT 'i' FROM generate_series(1, 30)",
                    "INSERT INTO credits (note) SELECT 'c' FROM generate_series(1, 5)");
            SourceCatalog catalog = new SourceCatalog(source);
            List<SourceTable> tables = List.of(catalog.table(new TableId("public", "invoices")).orElseThrow(),
                    catalog.table(new TableId("public", "credits")).orElseThrow());
            for (SourceTable table : tables) {
                Sql.exec(target, dialect.createTable(table));
            }
            Sql.exec(target, "INSERT INTO invoices (id, note) SELECT id, note FROM (SELECT 100 AS id, 'i' AS note) x");

            List<String> synced = new SequenceSync(source, target, dialect).sync(tables);

            assertEquals(2, synced.size(), synced.toString());
            assertTrue(synced.get(0).startsWith("public.invoices.id: source sequence shared_ids next 135"), synced.toString());
            Sql.exec(target, "INSERT INTO invoices (note) VALUES ('first on the target')",
                    "INSERT INTO credits (note) VALUES ('first on the target')");
            assertEquals(List.of(List.of("135")), Sql.rows(target, "SELECT id FROM invoices WHERE note = 'first on the target'"));
            assertEquals(List.of(List.of("135")), Sql.rows(target, "SELECT id FROM credits WHERE note = 'first on the target'"));
        }
    }
}
