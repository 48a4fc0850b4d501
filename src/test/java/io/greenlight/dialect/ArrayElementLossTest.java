package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Array elements a MySQL/MariaDB JSON array cannot hold (infinity dates and timestamps, numeric
 * NaN and ±Infinity) stop apply unless the column or its type is accepted, and then arrive as the
 * docs/types.md says (clamped, NULL): acceptance reaches into arrays. Values as the connector sends them.
 */
class ArrayElementLossTest {

    private static final TableId ID = new TableId("public", "edge");
    private static final Schema ZONED = SchemaBuilder.array(SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp")
            .optional().build()).optional().build();
    private static final Schema DATES = SchemaBuilder.array(SchemaBuilder.int32().name("io.debezium.time.Date")
            .optional().build()).optional().build();
    private static final Schema TEXTS = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build();
    /** The connector's -infinity element of a timestamptz[] (3.5: the driver's sentinel printed without its era). */
    private static final String NEGATIVE_INFINITY_ELEMENT = "+292269055-12-02T23:00:00.000000Z";
    /** The connector's ±infinity days of a date[] (as captured from PostgreSQL 15). */
    private static final int INFINITY_DAY = -622191234;
    private static final int NEGATIVE_INFINITY_DAY = -625821272;

    private static SourceColumn array(String name, String type) {
        return new SourceColumn(name, 0, type, type + "[]", 'X', true, true, -1, -1, -1, false, null, false, List.of());
    }

    private static final SourceColumn STAMPS = array("stamps", "timestamptz");
    private static final SourceColumn DAYS = array("days", "date");
    private static final SourceColumn NUMS = array("nums", "numeric");
    private static final SourceTable EDGE = new SourceTable(ID, List.of(
            new SourceColumn("id", 0, "int4", "integer", 'N', false, false, -1, 32, 0, false, null, false, List.of()),
            STAMPS, DAYS, NUMS), List.of("id"), 'd');

    private static Object bound(LossyPolicy policy, SourceColumn column, Schema schema, Object value) {
        return new MySqlDialect(MySqlServer.MARIADB_10_11, policy).binding(EDGE, column).value(schema, value);
    }

    @Test
    void acceptingATimestamptzArrayColumnClampsItsInfinityElementsEachToItsOwnEnd() {
        Object json = bound(LossyPolicy.of(List.of("public.edge.stamps")), STAMPS, ZONED,
                Arrays.asList("infinity", "2024-01-01T00:00:00.250000Z", NEGATIVE_INFINITY_ELEMENT, null));
        assertEquals("[\"9999-12-31T23:59:59.999999\",\"2024-01-01T00:00:00.250000\",\"0001-01-01T00:00:00.000000\",null]", json);
    }

    @Test
    void acceptingTheDateArrayTypeClampsItsInfinityElements() {
        Object json = bound(LossyPolicy.of(List.of("date[]")), DAYS, DATES,
                Arrays.asList(INFINITY_DAY, 19782, NEGATIVE_INFINITY_DAY));
        assertEquals("[\"9999-12-31\",\"2024-02-29\",\"0001-01-01\"]", json);
    }

    @Test
    void anInfinityElementNotAcceptedStopsApplyNamingTheValue() {
        LossyValueException e = assertThrows(LossyValueException.class, () -> bound(LossyPolicy.none(), STAMPS, ZONED,
                List.of("infinity")));
        assertTrue(e.getMessage().contains("infinity"), e.getMessage());
    }

    @Test
    void acceptingANumericArrayStoresNaNAndInfinityElementsAsNullAndKeepsTheRestExact() {
        Object json = bound(LossyPolicy.of(List.of("public.edge.nums")), NUMS, TEXTS,
                Arrays.asList("NaN", "1.50", "Infinity", "-Infinity", null, "-0.000000000000000000000000000000000001"));
        assertEquals("[null,1.50,null,null,null,-1E-36]", json);
    }

    @Test
    void aNaNElementNotAcceptedStopsApplyNamingTheValue() {
        LossyValueException e = assertThrows(LossyValueException.class, () -> bound(LossyPolicy.none(), NUMS, TEXTS,
                List.of("1", "NaN")));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
}
