package io.greenlight.apply;

import io.greenlight.schema.ChangeOp;
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
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary key change of a row whose TOAST value is unchanged, through the real apply loop with
 * two partitions per topic: Debezium's delete of the old key and create of the new one hash to
 * different partitions. Read in one batch they are written as one key move that keeps the value;
 * when the delete was committed in an earlier batch the value exists nowhere any more, and the
 * table stops naming the recopy.
 */
class KeyMoveApplyTest {

    private static final String[] SOURCE = {"CREATE TABLE docs (id int PRIMARY KEY, title text, body text NOT NULL)"};
    private static final Schema DOC = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("title", Schema.OPTIONAL_STRING_SCHEMA).field("body", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final TableId DOCS = new TableId("public", "docs");

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aKeyMoveWhoseHalvesAreOnTwoPartitionsOfOneBatchMovesTheRowKeepingItsToastValue(TargetEngine engine)
            throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "key_move_batch", 2, SOURCE)) {
            h.readTables("docs");
            publishKeyMove(h, 1);
            h.start(100, Duration.ofSeconds(3));
            awaitMovedWithItsBody(h);
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aFullBatchEndingWithTheDeleteOfAKeyMoveReadsOnToItsCreateInsteadOfCuttingBetweenThem(TargetEngine engine)
            throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "key_move_full", 1, SOURCE)) {
            h.readTables("docs");
            publishKeyMove(h, 0);
            h.start(2, Duration.ofSeconds(3)); // a batch (and a poll) of two: full after the delete
            awaitMovedWithItsBody(h);
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aChangeTheTargetRefusesAfterAKeyMovePausesTheTableAtThatChangeWithTheMoveApplied(TargetEngine engine)
            throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "key_move_poison", 1, SOURCE)) {
            h.readTables("docs");
            publishKeyMove(h, 0);
            h.publish(0, "docs", ChangeOp.CREATE, null, ApplyHarness.row(DOC, 9, "refused", null)); // body NOT NULL on the target
            h.start(100, Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertNull(h.failure.get(), () -> "apply failed: " + h.failure.get());
                assertTrue(h.pauses.isPaused(DOCS));
            });
            String error = h.pauses.get(DOCS).orElseThrow().error();
            assertTrue(error.contains("public.docs key {id=9}"), error);
            try (Connection t = h.target()) {
                assertEquals(List.of(List.of("5", "moved", "a very long body")), Sql.rows(t, "SELECT id, title, body FROM docs"),
                        "the move before the refused change is applied");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TargetEngine.class)
    void aKeyMoveWhoseDeleteWasCommittedInAnEarlierBatchPausesTheTableNamingTheRecopyInsteadOfWritingNull(
            TargetEngine engine) throws Exception {
        try (ApplyHarness h = new ApplyHarness(engine, "key_move_split", 2, SOURCE)) {
            h.readTables("docs");
            h.publish(0, "docs", ChangeOp.CREATE, null, ApplyHarness.row(DOC, 1, "first", "a very long body"));
            long update = h.publish(0, "docs", ChangeOp.DELETE, ApplyHarness.row(DOC, 1, null, null), null);
            h.start(100, Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                try (Connection t = h.target()) {
                    assertEquals(List.of(List.of("2")), Sql.rows(t, "SELECT next_offset FROM greenlight_offsets "
                            + "WHERE kafka_partition = 0"), "the delete is committed");
                }
            });
            h.publishAt(update, 1, "docs", ChangeOp.CREATE, null, ApplyHarness.row(DOC, 5, "moved", UnchangedToast.PLACEHOLDER));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertNull(h.failure.get(), () -> "apply failed: " + h.failure.get());
                assertTrue(h.pauses.isPaused(DOCS));
            });
            String error = h.pauses.get(DOCS).orElseThrow().error();
            assertTrue(error.contains("key {id=5}") && error.contains("[body]"), error);
            assertTrue(error.contains("greenlight.kafka.partitions > 1"), error);
            assertTrue(error.contains("POST /tables/public.docs/recopy"), error);
            try (Connection t = h.target()) {
                assertEquals(List.of(), Sql.rows(t, "SELECT id FROM docs"), "no row with a NULL body written");
            }
        }
    }

    /**
     * Row 1 with a long body, then an UPDATE moving it to key 5 with the body unchanged: Debezium's
     * delete of key 1 on partition 0 and create of key 5 (the body only a placeholder) on
     * {@code createPartition}, both at the update's position.
     */
    private static void publishKeyMove(ApplyHarness h, int createPartition) throws Exception {
        h.publish(0, "docs", ChangeOp.CREATE, null, ApplyHarness.row(DOC, 1, "first", "a very long body"));
        long update = h.publish(0, "docs", ChangeOp.DELETE, ApplyHarness.row(DOC, 1, null, null), null);
        h.publishAt(update, createPartition, "docs", ChangeOp.CREATE, null, ApplyHarness.row(DOC, 5, "moved", UnchangedToast.PLACEHOLDER));
    }

    /** Waits until the row sits under key 5 with the body it had (failing at once if the table paused). */
    private static void awaitMovedWithItsBody(ApplyHarness h) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .failFast("the table paused", () -> assertEquals(List.of(), h.pauses.all().stream()
                        .map(p -> p.error()).toList())).untilAsserted(() -> {
            assertNull(h.failure.get(), () -> "apply failed: " + h.failure.get());
            try (Connection t = h.target()) {
                assertEquals(List.of(List.of("5", "moved", "a very long body")), Sql.rows(t, "SELECT id, title, body FROM docs"));
            }
        });
    }
}
