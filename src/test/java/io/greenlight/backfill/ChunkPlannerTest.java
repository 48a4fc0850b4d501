package io.greenlight.backfill;

import io.greenlight.schema.TableId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChunkPlannerTest {

    private final TableId table = new TableId("public", "t");

    @Test
    void splitsPagesIntoRangesWithAnOpenEndedLastChunk() {
        List<Chunk> chunks = new ChunkPlanner(10).plan(table, 25);
        assertEquals(List.of(new Chunk(table, 0, 0, 10), new Chunk(table, 1, 10, 20), new Chunk(table, 2, 20, -1)), chunks);
        assertEquals("ctid >= '(10,0)'::tid AND ctid < '(20,0)'::tid", chunks.get(1).ctidCondition());
        assertEquals("ctid >= '(20,0)'::tid", chunks.get(2).ctidCondition());
    }

    @Test
    void anEmptyTableIsOneOpenChunk() {
        assertEquals(List.of(new Chunk(table, 0, 0, -1)), new ChunkPlanner(10).plan(table, 0));
    }
}
