package io.greenlight.capture;

import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The text forms the capture converter produces equal what the real PostgreSQL prints. */
class PostgresTextFormsTest {

    private static final String DB = "text_forms";

    @BeforeAll
    static void database() throws Exception {
        Class.forName("org.postgresql.Driver");
        TestServers.get().postgres.createDatabase(DB);
    }

    @Test
    void float8IsPrintedWithPostgresShortestDigitsAndExponentRules() throws Exception {
        Random random = new Random(42);
        List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1.0, -1.5, 0.1, 0.30000000000000004, 1e15, 1e14,
                123456789012345.6, 1e-4, 1e-5, 0.00012345, 1e20, 1e-300, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE,
                Double.MIN_NORMAL, 2e23, 5e-324, 9007199254740993.0, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY));
        for (int i = 0; i < 2000; i++) {
            values.add(Double.longBitsToDouble(random.nextLong()));
            values.add(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
        }
        values.removeIf(d -> Double.isNaN(d) && Double.doubleToRawLongBits(d) != Double.doubleToRawLongBits(Double.NaN));
        try (Connection c = TestServers.get().postgres.connect(DB);
             PreparedStatement ps = c.prepareStatement("SELECT ?::text::float8::text")) {
            for (double d : values) {
                // the double's exact decimal expansion: the driver's own text of a double is not always exact
                ps.setString(1, Double.isFinite(d) && d != 0 ? new java.math.BigDecimal(d).toString() : Double.toString(d));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertEquals(rs.getString(1), PostgresTextForms.float8(d), "double " + d);
                }
            }
        }
    }

    @Test
    void timestamptzTextOfAnyZoneIsRewrittenAsAUtcSessionPrintsIt() throws Exception {
        List<String> zones = List.of("Asia/Kathmandu", "America/St_Johns", "Europe/Amsterdam", "Pacific/Kiritimati", "UTC");
        List<String> instants = List.of("2024-01-01 00:00:00+00", "2024-03-31 01:59:59.999999+00", "1900-01-01 00:00:00+00",
                "0044-03-15 12:00:00.5+00 BC", "1582-10-04 23:59:59+00", "9999-12-31 23:59:59.999999+00",
                "12345-06-07 08:09:10.25+00", "infinity", "-infinity");
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            c.setAutoCommit(false);
            for (String zone : zones) {
                for (String instant : instants) {
                    Sql.exec(c, "SET LOCAL TimeZone = 'UTC'");
                    String utc = Sql.rows(c, "SELECT ?::timestamptz::text", instant).get(0).get(0);
                    Sql.exec(c, "SET LOCAL TimeZone = '" + zone + "'");
                    String local = Sql.rows(c, "SELECT ?::timestamptz::text", utc).get(0).get(0);
                    assertEquals(utc, PostgresTextForms.utcTimestamptz(local), zone + ": " + local);
                    String range = Sql.rows(c, "SELECT tstzrange(?::timestamptz, NULL)::text", utc).get(0).get(0);
                    Sql.exec(c, "SET LOCAL TimeZone = 'UTC'");
                    String utcRange = Sql.rows(c, "SELECT tstzrange(?::timestamptz, NULL)::text", utc).get(0).get(0);
                    assertEquals(utcRange, PostgresTextForms.utcRange(range), zone + ": " + range);
                }
                c.rollback();
            }
        }
    }

    @Test
    void arrayLiteralsSplitIntoElementTextsKeepingTheTextNullApartFromSqlNull() {
        assertEquals(Arrays.asList(null, "NULL", "a,b", "two words", "x \"q\" \\", ""),
                PostgresTextForms.array("{NULL,\"NULL\",\"a,b\",\"two words\",\"x \\\"q\\\" \\\\\",\"\"}", ','));
        assertEquals(List.of(), PostgresTextForms.array("{}", ','));
        assertEquals(List.of(List.of("1", "2"), List.of("3", "4")), PostgresTextForms.array("{{1,2},{3,4}}", ','));
        assertEquals(List.of("(3,4),(1,2)", "(1,1),(0,0)"), PostgresTextForms.array("{(3,4),(1,2);(1,1),(0,0)}", ';'));
    }
}
