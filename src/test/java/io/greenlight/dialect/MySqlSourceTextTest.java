package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * PostgreSQL's COPY text written for LOAD DATA without parsing, only where MySQL reads it as the
 * same value and no check could refuse it; everything else (null here) goes through the binding.
 */
class MySqlSourceTextTest {

    private static final Set<String> CONVERTED = Set.of("numeric", "bool", "date", "time", "timestamp", "timestamptz", "float8");

    private static SourceColumn column(String type, int precision, int scale) {
        return new SourceColumn("c", 1, type, type, 'X', false, true, -1, precision, scale, false, null, false, List.of());
    }

    private static String written(SourceColumn column, String copyText) {
        TabSeparatedRows out = new TabSeparatedRows();
        byte[] row = copyText.getBytes(StandardCharsets.UTF_8);
        if (!MySqlSourceText.write(MySqlSourceText.of(column, column, CONVERTED), row, 0, row.length, out)) {
            return null;
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void theUsualDatesAndTimesPassAndATimestamptzLosesOnlyItsUtcOffset() {
        assertEquals("2024-02-29", written(column("date", -1, -1), "2024-02-29"));
        assertEquals("24:00:00", written(column("time", -1, -1), "24:00:00"));
        assertEquals("2024-03-31 01:59:59.999999", written(column("timestamp", -1, -1), "2024-03-31 01:59:59.999999"));
        assertEquals("2026-01-01 00:00:01.5", written(column("timestamptz", -1, -1), "2026-01-01 00:00:01.5+00"));
    }

    @Test
    void infinityBcAndFiveDigitYearsAreConverted() {
        assertNull(written(column("date", -1, -1), "infinity"));
        assertNull(written(column("date", -1, -1), "0044-03-15 BC"));
        assertNull(written(column("date", -1, -1), "10000-01-01"));
        assertNull(written(column("timestamp", -1, -1), "-infinity"));
        assertNull(written(column("timestamp", -1, -1), "0001-01-01 00:00:00 BC"));
        assertNull(written(column("timestamptz", -1, -1), "0001-01-01 00:00:00+00 BC"));
        assertNull(written(column("timestamptz", -1, -1), "2024-01-01 00:00:00+05:30"));
    }

    @Test
    void constrainedDecimalsPassButNaNAndUnconstrainedOnesAreConverted() {
        assertEquals("-1234567890.12", written(column("numeric", 12, 2), "-1234567890.12"));
        assertNull(written(column("numeric", 12, 2), "NaN"));
        assertNull(written(column("numeric", -1, -1), "1.5"));
        assertNull(written(column("numeric", 70, 2), "1.50"));
        SourceColumn source = column("numeric", -1, -1);
        TabSeparatedRows out = new TabSeparatedRows();
        byte[] row = "1.5".getBytes(StandardCharsets.UTF_8);
        assertEquals(false, MySqlSourceText.write(MySqlSourceText.of(source, column("numeric", 65, 30), CONVERTED), row, 0, 3, out),
                "an unconstrained numeric sized from its values is checked against that size");
    }

    @Test
    void booleansBecomeOneAndZeroAndNullStaysNull() {
        assertEquals("1", written(column("bool", -1, -1), "t"));
        assertEquals("0", written(column("bool", -1, -1), "f"));
        assertEquals("\\N", written(column("bool", -1, -1), "\\N"));
        assertEquals("\\N", written(column("timestamptz", -1, -1), "\\N"));
        assertNull(written(column("float8", -1, -1), "\\N"));
    }

    @Test
    void otherTypesPassAsIs() {
        assertEquals("a\\\\b", written(column("text", -1, -1), "a\\\\b"));
        assertEquals("-9223372036854775808", written(column("int8", -1, -1), "-9223372036854775808"));
        assertNull(written(column("float8", -1, -1), "1.5"));
    }
}
