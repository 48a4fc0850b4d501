package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every value-level refusal whose message advises "Accept the loss with
 * greenlight.types.lossy-accept=…": with exactly that entry in the policy the same value is written
 * to the real MariaDB as docs/types.md says. Where accepting cannot help, the message does not advise it.
 */
class LossAcceptanceTest {

    private static final String DB = "loss_acceptance";
    private static final TableId ID = new TableId("public", "lossy");
    private static final SourceTable TABLE = new SourceTable(ID, List.of(
            column("id", "int4", 32, 0), column("n", "numeric", -1, -1), column("m", "money", -1, -1),
            column("f", "float8", 53, -1), column("ts", "timestamp", 6, -1)), List.of("id"), 'd');
    private static final Schema MICRO_TIMESTAMP = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build();

    private static SourceColumn column(String name, String type, int precision, int scale) {
        return new SourceColumn(name, 0, type, type, 'X', false, !name.equals("id"), -1, precision, scale, false, null, false,
                List.of());
    }

    @BeforeAll
    static void createTable() throws Exception {
        TestServers.get().mariadb.createDatabase(DB);
        try (Connection c = TestServers.get().mariadb.connect(DB)) {
            Sql.exec(c, new MySqlDialect().createTable(TABLE));
        }
    }

    /** The advised entry, as the refusal's message names it. */
    private static String advisedEntry(LossyValueException refused, String column) {
        String remedy = refused.remedy(LossyPolicy.columnRef(ID, column));
        assertTrue(remedy.startsWith("Accept the loss with greenlight.types.lossy-accept=public.lossy." + column), remedy);
        return LossyPolicy.columnRef(ID, column);
    }

    /** Writes the value with the policy, reads it back as text. */
    private static String write(LossyPolicy policy, String column, Schema schema, Object value) throws Exception {
        MySqlDialect dialect = new MySqlDialect(MySqlServer.MARIADB_10_11, policy);
        try (Connection c = TestServers.get().mariadb.connect(DB)) {
            Sql.exec(c, "DELETE FROM lossy");
            try (PreparedStatement ps = c.prepareStatement(dialect.insert(TABLE, List.of("id", column)))) {
                ps.setInt(1, 1);
                dialect.binding(TABLE, TABLE.column(column).orElseThrow()).bind(ps, 2, schema, value);
                ps.executeUpdate();
            }
            return Sql.rows(c, "SELECT CAST(`" + column + "` AS CHAR) FROM lossy").get(0).get(0);
        }
    }

    private static LossyValueException refused(String column, Schema schema, Object value) {
        return assertThrows(LossyValueException.class, () -> write(LossyPolicy.none(), column, schema, value));
    }

    @Test
    void aNumericWithMoreThan30FractionDigitsIsRoundedHalfUpOnceAccepted() throws Exception {
        String value = "1." + "0".repeat(29) + "15"; // 31 fraction digits
        String entry = advisedEntry(refused("n", Schema.OPTIONAL_STRING_SCHEMA, value), "n");
        assertEquals("1." + "0".repeat(28) + "02", write(LossyPolicy.of(List.of(entry)), "n", Schema.OPTIONAL_STRING_SCHEMA, value));
    }

    @Test
    void aNumericWithTooManyIntegerDigitsDoesNotAdviseAcceptingWhichCannotHelp() {
        LossyValueException e = refused("n", Schema.OPTIONAL_STRING_SCHEMA, "1" + "0".repeat(40));
        assertFalse(e.acceptable());
        assertFalse(e.remedy("public.lossy.n").contains("lossy-accept"), e.remedy("public.lossy.n"));
        assertThrows(LossyValueException.class, () -> write(LossyPolicy.of(List.of("public.lossy.n")), "n",
                Schema.OPTIONAL_STRING_SCHEMA, "1" + "0".repeat(40)));
    }

    @Test
    void moneyReadThroughADoubleBeyondItsCentsIsStoredAsReadOnceAccepted() throws Exception {
        String entry = advisedEntry(refused("m", Schema.OPTIONAL_STRING_SCHEMA, "9.223372036854776E16"), "m");
        assertEquals("92233720368547760.00", write(LossyPolicy.of(List.of(entry)), "m", Schema.OPTIONAL_STRING_SCHEMA,
                "9.223372036854776E16"));
    }

    @Test
    void aDoubleNaNIsStoredAsNullOnceAccepted() throws Exception {
        String entry = advisedEntry(refused("f", Schema.OPTIONAL_FLOAT64_SCHEMA, Double.NaN), "f");
        assertEquals(null, write(LossyPolicy.of(List.of(entry)), "f", Schema.OPTIONAL_FLOAT64_SCHEMA, Double.NaN));
    }

    @Test
    void aTimestampBeyondYear9999IsClampedOnceAccepted() throws Exception {
        long year10000 = java.time.LocalDate.of(10000, 1, 1).atStartOfDay().toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000L;
        String entry = advisedEntry(refused("ts", MICRO_TIMESTAMP, year10000), "ts");
        assertEquals("9999-12-31 23:59:59.999999", write(LossyPolicy.of(List.of(entry)), "ts", MICRO_TIMESTAMP, year10000));
    }
}
