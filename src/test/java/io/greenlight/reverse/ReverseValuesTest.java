package io.greenlight.reverse;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a row read from the new primary is reshaped for the old source's original column types. */
class ReverseValuesTest {

    private static final SourceTable TABLE = new SourceTable(new TableId("public", "kinds"), List.of(
            column("id", "int4", false, -1, -1, false),
            column("plain", "numeric", false, -1, -1, false),
            column("amount", "numeric", false, 12, 4, false),
            column("words", "text", true, -1, -1, false),
            column("total", "int4", false, -1, -1, true)), List.of("id"), 'd');

    @Test
    void aJsonArrayBecomesAnArrayLiteralWithEveryElementQuoted() throws Exception {
        assertEquals("{\"1.50\",NULL,\"a \\\"q\\\" , c\",\"\",{\"1\",\"2\"},\"true\"}",
                ReverseValues.arrayLiteral("[1.50, null, \"a \\\"q\\\" , c\", \"\", [1, 2], true]"));
    }

    @Test
    void anUnconstrainedNumericLosesOnlyThePaddingOfDecimal65x30() {
        Struct row = row("1.500000000000000000000000000000", "12.5000", "[\"x\"]");
        Struct back = new ReverseValues().toSource(TABLE, row);
        assertEquals("1.5", back.get("plain"));
        assertEquals("12.5000", back.get("amount"), "a constrained numeric keeps its column's scale");
        assertEquals("{\"x\"}", back.get("words"));
        assertEquals("100", new ReverseValues().toSource(TABLE, row("100.000000000000000000000000000000", null, null)).get("plain"));
    }

    @Test
    void aGeneratedColumnIsLeftToTheOldSource() {
        Struct back = new ReverseValues().toSource(TABLE, row("1", "1", null));
        assertNull(back.schema().field("total"));
        assertNull(back.get("words"));
    }

    @Test
    void aColumnTheOldSourceDoesNotHaveStopsWithTheStatementToAddIt() {
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("added", Schema.OPTIONAL_STRING_SCHEMA).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new ReverseValues().toSource(TABLE, new Struct(schema).put("id", 1)));
        assertTrue(e.getMessage().contains("Column added of kinds exists on the new primary"), e.getMessage());
        assertTrue(e.getMessage().contains("ALTER TABLE \"public\".\"kinds\" ADD COLUMN"), e.getMessage());
    }

    private static Struct row(String plain, String amount, String words) {
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("plain", Schema.OPTIONAL_STRING_SCHEMA)
                .field("amount", Schema.OPTIONAL_STRING_SCHEMA).field("words", Schema.OPTIONAL_STRING_SCHEMA)
                .field("total", Schema.OPTIONAL_INT32_SCHEMA).build();
        return new Struct(schema).put("id", 1).put("plain", plain).put("amount", amount).put("words", words).put("total", 7);
    }

    private static SourceColumn column(String name, String type, boolean array, int precision, int scale, boolean generated) {
        return new SourceColumn(name, 1, type, type, 'N', array, true, -1, precision, scale, false, null, generated, List.of());
    }
}
