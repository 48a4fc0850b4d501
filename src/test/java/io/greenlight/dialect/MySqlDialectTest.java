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
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dialect's DDL, upserts and value binding against the real MariaDB, with edge values. */
class MySqlDialectTest {

    private static final String DB = "dialect_test";
    private static final TableId ID = new TableId("public", "edge");
    private static final MySqlDialect DIALECT = new MySqlDialect();

    static SourceColumn column(String name, String type, int length, int precision, int scale, boolean nullable) {
        return new SourceColumn(name, 0, type, type, 'X', false, nullable, length, precision, scale, false, null, false, List.of());
    }

    private static final SourceTable EDGE = new SourceTable(ID, List.of(
            column("id", "int4", -1, 32, 0, false),
            column("email", "text", -1, -1, -1, true),
            column("amount", "numeric", -1, -1, -1, true),
            column("t", "time", -1, 6, -1, true),
            column("d", "date", -1, -1, -1, true),
            column("f", "float8", -1, 53, -1, true),
            column("r", "float4", -1, 24, -1, true),
            column("m", "money", -1, -1, -1, true)), List.of("id"), List.of(List.of("email")), 'd');

    @BeforeAll
    static void createTable() throws Exception {
        TestServers.get().mariadb.createDatabase(DB);
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(EDGE));
        }
    }

    static Connection target() throws Exception {
        return TestServers.get().mariadb.connect(DB);
    }

    @Test
    void oddIdentifiersAreQuotedAndOverlongOnesRefused() throws Exception {
        SourceTable odd = new SourceTable(new TableId("public", "Order `by` \"x\" ünï"), List.of(
                column("select", "int4", -1, 32, 0, false), column("We`ird \"Name\" ü", "text", -1, -1, -1, true)),
                List.of("select"), 'd');
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(odd));
            try (PreparedStatement ps = c.prepareStatement(DIALECT.upsert(odd, List.of("select", "We`ird \"Name\" ü")))) {
                ps.setInt(1, 1);
                ps.setString(2, "ok 😀");
                ps.executeUpdate();
            }
            assertEquals(List.of(List.of("1", "ok 😀")), Sql.rows(c, "SELECT * FROM " + DIALECT.tableName(odd)));
        }
        assertThrows(IllegalArgumentException.class, () -> DIALECT.quote("x".repeat(65)));
        assertThrows(IllegalArgumentException.class, () -> DIALECT.quote("trailing "));
        assertThrows(IllegalArgumentException.class, () -> DIALECT.quote("emoji 😀"));
        assertEquals("`" + "ü".repeat(64) + "`", DIALECT.quote("ü".repeat(64)));
    }

    @Test
    void upsertThatWouldHitAnotherRowThroughAUniqueKeyFailsAndTouchesNothing() throws Exception {
        try (Connection c = target()) {
            Sql.exec(c, "DELETE FROM edge", "INSERT INTO edge (id, email) VALUES (1, 'a@x'), (2, 'b@x')");
            String upsert = DIALECT.upsert(EDGE, List.of("id", "email"));
            try (PreparedStatement ps = c.prepareStatement(upsert)) {
                ps.setInt(1, 1);
                ps.setString(2, "z@x");
                ps.executeUpdate(); // same primary key: an ordinary update
                ps.setInt(1, 3);
                ps.setString(2, "b@x");
                SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
                assertTrue(DIALECT.isOtherRowMatch(e), e.getMessage());
            }
            assertEquals(List.of(List.of("1", "z@x"), List.of("2", "b@x")), Sql.rows(c, "SELECT id, email FROM edge ORDER BY id"));
        }
    }

    @Test
    void unconstrainedNumericValuesThatDoNotFitAreRefusedUnlessAccepted() throws Exception {
        SourceColumn amount = EDGE.column("amount").orElseThrow();
        String fits = "-" + "9".repeat(35) + "." + "9".repeat(30);
        assertEquals(fits, roundTrip(amount, Schema.OPTIONAL_STRING_SCHEMA, fits, false));
        LossyValueException tooLong = assertThrows(LossyValueException.class,
                () -> roundTrip(amount, Schema.OPTIONAL_STRING_SCHEMA, "1" + "0".repeat(35), false));
        assertTrue(tooLong.getMessage().contains("36 integer digits"), tooLong.getMessage());
        String finer = "1.00000000000000000000000000000000001";
        assertThrows(LossyValueException.class, () -> roundTrip(amount, Schema.OPTIONAL_STRING_SCHEMA, finer, false));
        assertEquals("1.000000000000000000000000000000", roundTrip(amount, Schema.OPTIONAL_STRING_SCHEMA, finer, true));
        assertThrows(LossyValueException.class, () -> roundTrip(amount, Schema.OPTIONAL_STRING_SCHEMA, "NaN", false));
        assertEquals(null, roundTrip(amount, Schema.OPTIONAL_STRING_SCHEMA, "NaN", true));
    }

    @Test
    void moneyAsExactTextIsKeptToItsLimitAndADoublesTextBeyondItsCentsIsRefused() throws Exception {
        SourceColumn m = EDGE.column("m").orElseThrow();
        assertEquals("-9999999999999.99", roundTrip(m, Schema.OPTIONAL_STRING_SCHEMA, "-9999999999999.99", false));
        // streamed (Debezium 3.5) and backfilled money is exact decimal text
        assertEquals("92233720368547758.07", roundTrip(m, Schema.OPTIONAL_STRING_SCHEMA, "92233720368547758.07", false));
        // Debezium's initial snapshot reads money through a double
        assertThrows(LossyValueException.class, () -> roundTrip(m, Schema.OPTIONAL_STRING_SCHEMA, "9.223372036854776E16", false));
    }

    @Test
    void timeOfDayKeeps2400AndDatesRefuseInfinityAndYearsOutsideMySql() throws Exception {
        Schema microTime = SchemaBuilder.int64().name("io.debezium.time.MicroTime").optional().build();
        assertEquals("24:00:00.000000", roundTrip(EDGE.column("t").orElseThrow(), microTime, 86_400_000_000L, false));
        Schema date = SchemaBuilder.int32().name("io.debezium.time.Date").optional().build();
        SourceColumn d = EDGE.column("d").orElseThrow();
        assertEquals("2024-02-29", roundTrip(d, date, (int) java.time.LocalDate.of(2024, 2, 29).toEpochDay(), false));
        assertEquals("0001-01-01", roundTrip(d, date, (int) java.time.LocalDate.of(1, 1, 1).toEpochDay(), false));
        int bc = (int) java.time.LocalDate.of(-100, 1, 1).toEpochDay();
        LossyValueException e = assertThrows(LossyValueException.class, () -> roundTrip(d, date, bc, false));
        assertTrue(e.getMessage().contains("outside MySQL's years 1-9999"), e.getMessage());
        assertEquals("0001-01-01", roundTrip(d, date, bc, true));
        int infinity = (int) java.time.LocalDate.parse("-5877611-06-21").toEpochDay();
        assertThrows(LossyValueException.class, () -> roundTrip(d, date, infinity, false));
        assertEquals("9999-12-31", roundTrip(d, date, infinity, true));
    }

    @Test
    void floatsKeepExtremesAndNegativeZeroAndRefuseNaN() throws Exception {
        SourceColumn f = EDGE.column("f").orElseThrow();
        SourceColumn r = EDGE.column("r").orElseThrow();
        // MariaDB and MySQL do not keep the sign of a zero: -0 arrives as 0 (documented).
        assertEquals("0", roundTrip(f, Schema.OPTIONAL_FLOAT64_SCHEMA, -0.0d, false));
        assertEquals("1.7976931348623157e308", roundTrip(f, Schema.OPTIONAL_FLOAT64_SCHEMA, Double.MAX_VALUE, false));
        assertEquals("3.4028234663852886e38", roundTrip(r, Schema.OPTIONAL_FLOAT32_SCHEMA, Float.MAX_VALUE, false));
        assertThrows(LossyValueException.class, () -> roundTrip(f, Schema.OPTIONAL_FLOAT64_SCHEMA, Double.NaN, false));
        assertEquals(null, roundTrip(f, Schema.OPTIONAL_FLOAT64_SCHEMA, Double.NEGATIVE_INFINITY, true));
    }

    @Test
    void mysqlUsesTheRowAliasAndComparesJsonAsJsonWhileMariaDbUsesValues() {
        MySqlDialect mysql = new MySqlDialect(MySqlServer.parse("8.0.36"), LossyPolicy.none());
        SourceTable json = new SourceTable(ID, List.of(column("id", "int4", -1, 32, 0, false),
                column("doc", "jsonb", -1, -1, -1, true)), List.of(), 'f');
        assertTrue(mysql.upsert(EDGE, List.of("id", "email")).contains(" AS _greenlight_new ON DUPLICATE KEY UPDATE"));
        assertTrue(mysql.delete(json, List.of("id", "doc")).contains("`doc` <=> CAST(? AS JSON)"));
        assertTrue(DIALECT.upsert(EDGE, List.of("id", "email")).contains("`email` = VALUES(`email`)"));
        assertFalse(DIALECT.delete(json, List.of("id", "doc")).contains("CAST"));
        assertTrue(MySqlServer.parse("5.5.5-10.11.19-MariaDB-0+deb12u1").mariaDb());
        assertThrows(IllegalStateException.class, () -> MySqlServer.parse("10.6.2-MariaDB").requireSupported());
        assertThrows(IllegalStateException.class, () -> MySqlServer.parse("5.7.44").requireSupported());
    }

    @Test
    void preflightHoldsATableWithUnacceptedLossAloneAndNamesTheKeyToAcceptIt() {
        SourceColumn timetz = column("at", "timetz", -1, 6, -1, true);
        SourceTable events = new SourceTable(new TableId("public", "events"), List.of(column("id", "int4", -1, 32, 0, false), timetz),
                List.of("id"), 'd');
        PreflightReport held = PreflightReport.of(DIALECT, List.of(events), LossyPolicy.none());
        assertEquals(List.of(), held.problems(), "not a reason to refuse the whole start");
        String why = held.unacceptedLoss(events.id()).orElseThrow();
        assertTrue(why.contains("greenlight.types.lossy-accept=public.events.at"), why);
        assertTrue(why.contains("Then restart Greenlight"), why);
        assertEquals(java.util.Optional.empty(), PreflightReport.of(DIALECT, List.of(events), LossyPolicy.of(List.of("timetz")))
                .unacceptedLoss(events.id()));
        assertEquals(java.util.Optional.empty(), PreflightReport.of(DIALECT, List.of(events), LossyPolicy.of(List.of("public.events.at")))
                .unacceptedLoss(events.id()));
        assertTrue(held.describe().contains("public.events.at timetz -> TIME(6)  [LOSSY, NOT accepted]"), held.describe());
    }

    @Test
    void preflightRefusesColumnsThatDifferOnlyInCase() {
        SourceTable mixed = new SourceTable(new TableId("public", "Mixed"), List.of(column("id", "int4", -1, 32, 0, false),
                column("Name", "text", -1, -1, -1, true), column("name", "text", -1, -1, -1, true)), List.of("id"), 'd');
        assertEquals(List.of("Table \"public\".\"Mixed\" has columns \"Name\" and \"name\" that mariadb cannot tell apart "
                        + "(it ignores case in column names). Rename one of them on the source."),
                PreflightReport.of(DIALECT, List.of(mixed), LossyPolicy.none()).problems());
    }

    /** Binds one value into its column of row id 100, reads it back as text. */
    private static String roundTrip(SourceColumn column, Schema schema, Object value, boolean accepted) throws Exception {
        try (Connection c = target()) {
            Sql.exec(c, "DELETE FROM edge WHERE id = 100");
            try (PreparedStatement ps = c.prepareStatement(DIALECT.insert(EDGE, List.of("id", column.name())))) {
                ps.setInt(1, 100);
                new MySqlValueBinder().bind(ps, 2, column, schema, value, accepted);
                ps.executeUpdate();
            }
            // MySQL prints FLOAT with 6 significant digits: read it as the exact double it holds.
            String read = column.typeName().equals("float4") ? "CAST(r AS DOUBLE)" : DIALECT.quote(column.name());
            List<List<String>> rows = Sql.rows(c, "SELECT CAST(" + read + " AS CHAR) FROM edge WHERE id = 100");
            return rows.get(0).get(0);
        }
    }
}
