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
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An update that leaves an unchanged TOAST value out (pgoutput sends a placeholder for it) is
 * written as an UPDATE of the changed columns: an upsert's insert part would lack the value, which
 * a NOT NULL column without default refuses (MySQL strict mode, and PostgreSQL checks NOT NULL
 * before ON CONFLICT), pausing the table.
 */
class UnchangedToastTest {

    private static final String DB = "unchanged_toast";
    private static final TableId DOCS = new TableId("public", "docs");
    private static final Schema ROW = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("title", Schema.OPTIONAL_STRING_SCHEMA).field("body", Schema.OPTIONAL_STRING_SCHEMA).build();
    /** body is text NOT NULL without default, as a large document column usually is. */
    private static final SourceTable TABLE = new SourceTable(DOCS, List.of(
            new SourceColumn("id", 1, "int4", "integer", 'N', false, false, -1, 32, 0, false, null, false, List.of()),
            new SourceColumn("title", 2, "text", "text", 'S', false, true, -1, -1, -1, false, null, false, List.of()),
            new SourceColumn("body", 3, "text", "text", 'S', false, false, -1, -1, -1, false, null, false, List.of())),
            List.of("id"), 'd');
    /** The same table with body nullable: a lost value would read NULL, silently. */
    private static final TableId NOTES = new TableId("public", "notes");
    private static final SourceTable NULLABLE = new SourceTable(NOTES, List.of(
            new SourceColumn("id", 1, "int4", "integer", 'N', false, false, -1, 32, 0, false, null, false, List.of()),
            new SourceColumn("title", 2, "text", "text", 'S', false, true, -1, -1, -1, false, null, false, List.of()),
            new SourceColumn("body", 3, "text", "text", 'S', false, true, -1, -1, -1, false, null, false, List.of())),
            List.of("id"), 'd');
    private static final Set<TargetEngine> PREPARED = EnumSet.noneOf(TargetEngine.class);

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void anUpdateLeavingANotNullToastColumnUnchangedUpdatesTheChangedColumnsOfTheRow(TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            write(engine, c, change(ChangeOp.READ, row(1, "first", "a very long body"), 1),
                    change(ChangeOp.UPDATE, row(1, "renamed", UnchangedToast.PLACEHOLDER), 2));
            assertEquals(List.of(List.of("1", "renamed", "a very long body")), Sql.rows(c, "SELECT id, title, body FROM docs"));
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void updatesWithAndWithoutUnchangedToastValuesInOneBatchKeepTheirOrder(TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            write(engine, c, change(ChangeOp.READ, row(1, "one", "body one"), 1),
                    change(ChangeOp.READ, row(2, "two", "body two"), 2),
                    change(ChangeOp.UPDATE, row(1, "one b", UnchangedToast.PLACEHOLDER), 3),
                    change(ChangeOp.UPDATE, row(1, "one c", "new body one"), 4),
                    change(ChangeOp.UPDATE, row(1, "one d", UnchangedToast.PLACEHOLDER), 5),
                    change(ChangeOp.UPDATE, row(2, "two b", UnchangedToast.PLACEHOLDER), 6),
                    change(ChangeOp.CREATE, row(3, "three", "body three"), 7));
            assertEquals(List.of(List.of("1", "one d", "new body one"), List.of("2", "two b", "body two"),
                    List.of("3", "three", "body three")), Sql.rows(c, "SELECT id, title, body FROM docs ORDER BY id"));
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void anUpdateLeavingToastUnchangedWhoseRowIsMissingOnTheTargetStopsNamingTableKeyAndRemedy(TargetEngine engine)
            throws Exception {
        try (Connection c = target(engine)) {
            ApplyException e = assertThrows(ApplyException.class, () -> write(engine, c,
                    change(ChangeOp.UPDATE, row(7, "orphan", UnchangedToast.PLACEHOLDER), 1)));
            assertTrue(e.getMessage().startsWith("The update of public.docs key {id=7} at table public.docs, LSN"), e.getMessage());
            assertTrue(e.getMessage().contains("found no row on the target"), e.getMessage());
            assertTrue(e.getMessage().contains("[body]"), e.getMessage());
            assertTrue(e.getMessage().contains("POST /tables/public.docs/recopy"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aPrimaryKeyChangeOfARowWithAnUnchangedToastValueMovesTheRowAndKeepsTheValue(TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            // UPDATE docs SET id = 5, title = 'moved' WHERE id = 1 leaving body untouched: Debezium emits a delete of
            // key 1 and a create of key 5 whose body is the placeholder, both at the update's LSN
            write(engine, c, change(ChangeOp.READ, row(1, "first", "a very long body"), 1),
                    TestChanges.delete(DOCS, key(1), 2),
                    change(ChangeOp.CREATE, row(5, "moved", UnchangedToast.PLACEHOLDER), 2));
            assertEquals(List.of(List.of("5", "moved", "a very long body")), Sql.rows(c, "SELECT id, title, body FROM docs"));
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aKeyMoveIsPairedAcrossChangesOfOtherKeysInEitherOrderAndLaterChangesOfTheNewKeyFollowIt(TargetEngine engine)
            throws Exception {
        try (Connection c = target(engine)) {
            // With several partitions the old key's delete and the new key's create arrive in any order, other rows between
            write(engine, c, change(ChangeOp.READ, row(1, "one", "body one"), 1),
                    change(ChangeOp.READ, row(2, "two", "body two"), 1),
                    change(ChangeOp.CREATE, row(7, "one", UnchangedToast.PLACEHOLDER), 3),
                    change(ChangeOp.UPDATE, row(2, "two b", UnchangedToast.PLACEHOLDER), 4),
                    TestChanges.delete(DOCS, key(1), 3),
                    change(ChangeOp.UPDATE, row(7, "one b", UnchangedToast.PLACEHOLDER), 5),
                    TestChanges.delete(DOCS, key(2), 6),
                    change(ChangeOp.CREATE, row(8, "two c", UnchangedToast.PLACEHOLDER), 6));
            assertEquals(List.of(List.of("7", "one b", "body one"), List.of("8", "two c", "body two")),
                    Sql.rows(c, "SELECT id, title, body FROM docs ORDER BY id"));
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aKeyMoveWhoseOldRowIsMissingOnTheTargetStopsNamingBothKeysAndTheRemedy(TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            ApplyException e = assertThrows(ApplyException.class, () -> write(engine, c,
                    TestChanges.delete(DOCS, key(1), 2),
                    change(ChangeOp.CREATE, row(5, "moved", UnchangedToast.PLACEHOLDER), 2)));
            assertTrue(e.getMessage().startsWith("The update of public.docs moving key {id=1} to {id=5} at table public.docs"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("found no row on the target"), e.getMessage());
            assertTrue(e.getMessage().contains("POST /tables/public.docs/recopy"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aPrimaryKeyChangeWithAnUnchangedToastValueWhoseDeleteIsNotInTheBatchStopsNamingTheRemedyInsteadOfWritingNull(
            TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            // UPDATE notes SET id = 5 WHERE id = 1 leaving body untouched, the delete of key 1 applied in an earlier batch:
            // only the create of key 5 is left, its body the placeholder
            ApplyException e = assertThrows(ApplyException.class, () -> write(engine, c,
                    TestChanges.of(NOTES, ChangeOp.READ, row(1, "first", "a very long body"), 1),
                    TestChanges.of(NOTES, ChangeOp.CREATE, row(5, "first", UnchangedToast.PLACEHOLDER), 2)));
            assertTrue(e.getMessage().startsWith("The change of public.notes key {id=5} at table public.notes, LSN"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("[body]") && e.getMessage().contains("leave them NULL"), e.getMessage());
            assertTrue(e.getMessage().contains("POST /tables/public.notes/recopy"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aKeyMoveReadAfterTheOldKeysNextInsertStillMovesTheOldRowBeforeThatInsert(TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            // Partition of key 1: its delete, then key 1 inserted again; the moved row (key 5) on another partition, read last
            write(engine, c, change(ChangeOp.READ, row(1, "first", "a very long body"), 1),
                    TestChanges.delete(DOCS, key(1), 2),
                    change(ChangeOp.CREATE, row(1, "again", "another body"), 3),
                    change(ChangeOp.CREATE, row(5, "moved", UnchangedToast.PLACEHOLDER), 2));
            assertEquals(List.of(List.of("1", "again", "another body"), List.of("5", "moved", "a very long body")),
                    Sql.rows(c, "SELECT id, title, body FROM docs ORDER BY id"));
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aKeyMoveReadBeforeTheNewKeysNextDeleteIsWrittenBeforeThatDelete(TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            // Partition of key 5: the moved row, then its delete; the old key's delete on another partition, read last
            write(engine, c, change(ChangeOp.READ, row(1, "first", "a very long body"), 1),
                    change(ChangeOp.CREATE, row(5, "moved", UnchangedToast.PLACEHOLDER), 2),
                    TestChanges.delete(DOCS, key(5), 3),
                    TestChanges.delete(DOCS, key(1), 2));
            assertEquals(List.of(), Sql.rows(c, "SELECT id, title, body FROM docs ORDER BY id"));
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aKeyMoveWithChangesOfBothKeysBetweenItsHalvesIsNotPairedAndStops(TargetEngine engine) throws Exception {
        try (Connection c = target(engine)) {
            // Between the halves: key 5 deleted (after the move) and key 1 updated (before it): no place keeps both orders
            ApplyException e = assertThrows(ApplyException.class, () -> write(engine, c,
                    change(ChangeOp.READ, row(1, "first", "a very long body"), 1),
                    change(ChangeOp.CREATE, row(5, "moved", UnchangedToast.PLACEHOLDER), 3),
                    TestChanges.delete(DOCS, key(5), 4),
                    change(ChangeOp.UPDATE, row(1, "first b", UnchangedToast.PLACEHOLDER), 2),
                    TestChanges.delete(DOCS, key(1), 3)));
            assertTrue(e.getMessage().startsWith("The change of public.docs key {id=5}"), e.getMessage());
        }
    }

    private static void write(TargetEngine engine, Connection c, Change... changes) throws Exception {
        Sql.exec(c, "DELETE FROM docs", "DELETE FROM notes");
        c.setAutoCommit(false);
        try {
            new BatchWriter(dialect(engine), Map.of(DOCS, TABLE, NOTES, NULLABLE), null).write(c, List.of(changes));
            c.commit();
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static Connection target(TargetEngine engine) throws Exception {
        synchronized (PREPARED) {
            if (PREPARED.add(engine)) {
                engine.createDatabase(DB);
                try (Connection c = engine.connect(DB)) {
                    Sql.exec(c, dialect(engine).createTable(TABLE), dialect(engine).createTable(NULLABLE));
                }
            }
        }
        return engine.connect(DB);
    }

    private static Dialect dialect(TargetEngine engine) {
        return engine == TargetEngine.POSTGRES ? new PostgresDialect() : new MySqlDialect();
    }

    private static Struct row(int id, String title, String body) {
        return new Struct(ROW).put("id", id).put("title", title).put("body", body);
    }

    private static Struct key(int id) {
        return new Struct(ROW).put("id", id);
    }

    private static Change change(ChangeOp op, Struct after, long lsn) {
        return TestChanges.of(DOCS, op, after, lsn);
    }
}
