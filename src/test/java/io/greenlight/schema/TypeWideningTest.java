package io.greenlight.schema;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TypeWideningTest {

    private static SourceColumn col(String type, String formatted, int length, int precision, int scale, List<String> labels) {
        return new SourceColumn("c", 1, type, formatted, 'X', false, true, length, precision, scale, false, null, false, labels);
    }

    @Test
    void wideningsAreAllowedAndEverythingElseIsNot() {
        assertTrue(TypeWidening.isWidening(col("int4", "integer", -1, 32, 0, List.of()), col("int8", "bigint", -1, 64, 0, List.of())));
        assertFalse(TypeWidening.isWidening(col("int8", "bigint", -1, 64, 0, List.of()), col("int4", "integer", -1, 32, 0, List.of())));
        assertTrue(TypeWidening.isWidening(col("varchar", "varchar(10)", 10, -1, -1, List.of()), col("varchar", "varchar(50)", 50, -1, -1, List.of())));
        assertTrue(TypeWidening.isWidening(col("varchar", "varchar(10)", 10, -1, -1, List.of()), col("text", "text", -1, -1, -1, List.of())));
        assertFalse(TypeWidening.isWidening(col("varchar", "varchar(50)", 50, -1, -1, List.of()), col("varchar", "varchar(10)", 10, -1, -1, List.of())));
        assertTrue(TypeWidening.isWidening(col("numeric", "numeric(5,2)", -1, 5, 2, List.of()), col("numeric", "numeric(10,4)", -1, 10, 4, List.of())));
        assertFalse(TypeWidening.isWidening(col("numeric", "numeric(5,2)", -1, 5, 2, List.of()), col("numeric", "numeric(5,3)", -1, 5, 3, List.of())));
        assertTrue(TypeWidening.isWidening(col("mood", "mood", -1, -1, -1, List.of("a", "b")), col("mood", "mood", -1, -1, -1, List.of("a", "b", "c"))));
        assertFalse(TypeWidening.isWidening(col("mood", "mood", -1, -1, -1, List.of("a", "b")), col("mood", "mood", -1, -1, -1, List.of("b", "a", "c"))));
        assertFalse(TypeWidening.isWidening(col("int8", "bigint", -1, 64, 0, List.of()), col("text", "text", -1, -1, -1, List.of())));
    }
}
