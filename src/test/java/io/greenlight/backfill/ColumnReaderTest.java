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
}
