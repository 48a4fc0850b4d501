package io.greenlight.backfill;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** PostgreSQL's ISO text of date/time values read into the representation Debezium gives them. */
class ColumnReaderTest {

    @Test
    void datesIncludingBcAndFiveDigitYearsBecomeEpochDays() {
        assertEquals(LocalDate.of(2024, 2, 29).toEpochDay(), ColumnReader.temporal("date", "2024-02-29").value());
        assertEquals(LocalDate.of(0, 1, 1).toEpochDay(), ColumnReader.temporal("date", "0001-01-01 BC").value());
        assertEquals(LocalDate.of(10000, 1, 1).toEpochDay(), ColumnReader.temporal("date", "10000-01-01").value());
        assertEquals("io.debezium.time.Date", ColumnReader.temporal("date", "infinity").schema().name());
    }

    @Test
    void timesKeepMicrosecondsAndMidnightAtTwentyFour() {
        assertEquals(86_400_000_000L, ColumnReader.micros("24:00:00"));
        assertEquals(45_296_500_000L, ColumnReader.micros("12:34:56.5"));
        assertEquals(1L, ColumnReader.micros("00:00:00.000001"));
    }

    @Test
    void timeWithZoneIsSentInUtcAsDebeziumSendsIt() {
        assertEquals("04:45:30.123456Z", ColumnReader.temporal("timetz", "10:15:30.123456+05:30").value());
        assertEquals("10:00:00Z", ColumnReader.temporal("timetz", "00:00:00+14").value());
        assertEquals("03:30:14Z", ColumnReader.temporal("timetz", "23:59:59-03:30:15").value());
    }

    @Test
    void timestampsBecomeMicrosAndZonedTextInUtc() {
        assertEquals(-1L, ColumnReader.temporal("timestamp", "1969-12-31 23:59:59.999999").value());
        assertEquals("io.debezium.time.Timestamp", ColumnReader.temporal("timestamp", "-infinity").schema().name());
        assertEquals("2024-03-31T01:59:59.999999Z", ColumnReader.temporal("timestamptz", "2024-03-31 01:59:59.999999+00").value());
        assertEquals("-0001-06-15T12:00:00Z", ColumnReader.temporal("timestamptz", "0002-06-15 12:00:00+00 BC").value());
        assertEquals("infinity", ColumnReader.temporal("timestamptz", "infinity").value());
    }

    @Test
    void bitStringsAreLittleEndianBitSets() {
        assertArrayEquals(new byte[]{(byte) 0xAA, 0x0A}, ColumnReader.bits("101010101010"));
        assertArrayEquals(new byte[0], ColumnReader.bits("000"));
    }

    private static Object fromText(String type, String text) throws Exception {
        return new ColumnReader(new io.greenlight.schema.SourceColumn("c", 1, type, type, 'X', false, true, -1, -1, -1, false,
                null, false, java.util.List.of())).fromText(text).value();
    }

    @Test
    void copyTextIsReadIntoTheValuesAResultSetGives() throws Exception {
        assertEquals(-32768, fromText("int2", "-32768"));
        assertEquals(Long.MIN_VALUE, fromText("int8", "-9223372036854775808"));
        assertEquals(Double.POSITIVE_INFINITY, fromText("float8", "Infinity"));
        assertEquals(Double.NaN, fromText("float8", "NaN"));
        assertEquals(3.4028235e38f, fromText("float4", "3.4028235e+38"));
        assertEquals(Boolean.TRUE, fromText("bool", "t"));
        assertArrayEquals(new byte[]{0, -1, 10}, (byte[]) fromText("bytea", "\\x00ff0a"));
        assertEquals("P1Y2M-3DT4H5M6.789S", fromText("interval", "1 year 2 mons -3 days +04:05:06.789"));
        assertEquals(new java.math.BigDecimal("-1234567.89"), fromText("money", "-1234567.89"));
        assertEquals("1.50", fromText("numeric", "1.50"));
        assertEquals("{\"a\":\"b\"}", fromText("hstore", "\"a\"=>\"b\""));
        assertEquals(null, fromText("text", null));
        assertEquals("", fromText("text", ""));
    }
}
