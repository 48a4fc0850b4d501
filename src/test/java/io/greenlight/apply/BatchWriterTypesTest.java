package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.MySqlDialect;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.schema.UnchangedToast;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BatchWriter's type-related behaviour against the real MariaDB (and, where both apply, PostgreSQL), with hand-built change events. */
class BatchWriterTypesTest {

    private static final String DB = "batch_types";
    private static final TableId PRICES = new TableId("public", "prices");
    private static final Schema ROW = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("amount", Schema.OPTIONAL_STRING_SCHEMA).field("note", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final SourceTable TABLE = new SourceTable(PRICES, List.of(
            new SourceColumn("id", 1, "int4", "integer", 'N', false, false, -1, 32, 0, false, null, false, List.of()),
            new SourceColumn("amount", 2, "numeric", "numeric", 'N', false, true, -1, -1, -1, false, null, false, List.of()),
            new SourceColumn("note", 3, "text", "text", 'S', false, true, -1, -1, -1, false, null, false, List.of())),
            List.of("id"), 'd');
    private static final MySqlDialect DIALECT = new MySqlDialect();

    @BeforeAll
    static void createTable() throws Exception {
        TestServers.get().mariadb.createDatabase(DB);
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(TABLE));
        }
    }

    private static final java.util.Set<TargetEngine> PREPARED = java.util.EnumSet.noneOf(TargetEngine.class);

    /** The table on the given engine's target, created on first use (the PostgreSQL target starts lazily). */
    private static Connection target(TargetEngine engine) throws Exception {
        if (engine == TargetEngine.MARIADB) {
            return target();
        }
        synchronized (PREPARED) {
            if (PREPARED.add(engine)) {
                engine.createDatabase(DB);
                try (Connection c = engine.connect(DB)) {
                    Sql.exec(c, dialect(engine).createTable(TABLE));
                }
            }
        }
        return engine.connect(DB);
    }

    private static Dialect dialect(TargetEngine engine) {
        return engine == TargetEngine.POSTGRES ? new PostgresDialect() : DIALECT;
    }

    @Test
    void aValueThatDoesNotFitStopsApplyNamingTableColumnKeyLsnAndTheFix() throws Exception {
        Change change = change(ChangeOp.CREATE, row(42, "1.00000000000000000000000000000000001", "x"), 0x1A2B3C4L);
        try (Connection c = target()) {
            ApplyException e = assertThrows(ApplyException.class,
                    () -> new BatchWriter(DIALECT, Map.of(PRICES, TABLE), null).write(c, List.of(change)));
            assertTrue(e.getMessage().startsWith("Column public.prices.amount (numeric), key {id=42}, at table public.prices, "
                    + "LSN 0/1A2B3C4, Kafka test.public.prices-0@"), e.getMessage());
            assertTrue(e.getMessage().contains("does not fit DECIMAL(65,30)"), e.getMessage());
            assertTrue(e.getMessage().contains("greenlight.types.lossy-accept=public.prices.amount"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void unchangedToastColumnsAreNotWrittenEvenInABatchMixingThemWithChangedOnes(TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            Sql.exec(c, "DELETE FROM prices");
            c.setAutoCommit(false);
            new BatchWriter(dialect(engine), Map.of(PRICES, TABLE), null).write(c, List.of(
                    change(ChangeOp.READ, row(1, "1.5", "long text one"), 1L),
                    change(ChangeOp.READ, row(2, "2.5", "long text two"), 2L),
                    change(ChangeOp.UPDATE, row(1, "1.75", UnchangedToast.PLACEHOLDER), 3L),
                    change(ChangeOp.UPDATE, row(2, "2.75", "changed"), 4L),
                    change(ChangeOp.UPDATE, row(1, "1.95", UnchangedToast.PLACEHOLDER), 5L)));
            c.commit();
            assertEquals(List.of(List.of("1", "1.95", "long text one"), List.of("2", "2.75", "changed")),
                    Sql.rows(c, "SELECT id, amount, note FROM prices ORDER BY id"));
        }
    }

    @Test
    void anUnconstrainedNumericBeyondMySqlsDecimalArrivesExactlyOnPostgres() throws Exception {
        String value = "-12345678901234567890123456789012345678901234567890.000000000000000000000000000000000000001";
        try (Connection c = target(TargetEngine.POSTGRES)) {
            Sql.exec(c, "DELETE FROM prices");
            c.setAutoCommit(false);
            new BatchWriter(dialect(TargetEngine.POSTGRES), Map.of(PRICES, TABLE), null).write(c,
                    List.of(change(ChangeOp.CREATE, row(42, value, "x"), 1L)));
            c.commit();
            assertEquals(List.of(List.of(value)), Sql.rows(c, "SELECT amount::text FROM prices"));
        }
    }

    private static Struct row(int id, String amount, String note) {
        return new Struct(ROW).put("id", id).put("amount", amount).put("note", note);
    }

    private static Change change(ChangeOp op, Struct after, long lsn) {
        return TestChanges.of(PRICES, op, after, lsn);
    }

    private static Connection target() throws Exception {
        return TestServers.get().mariadb.connect(DB);
    }
}
