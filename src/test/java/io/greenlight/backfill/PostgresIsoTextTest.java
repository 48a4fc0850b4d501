package io.greenlight.backfill;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The fixed-position reading of PostgreSQL's usual date/time text gives exactly what the general
 * java.time reading gives, and declines every other form so the general reading handles it.
 */
class PostgresIsoTextTest {

    private static final DateTimeFormatter PG_TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    @Test
    void datesAgreeWithTheGeneralReadingAtTheEdgesOfYearsOneTo9999() {
        for (String date : new String[]{"0001-01-01", "9999-12-31", "2024-02-29", "1900-02-28", "2000-02-29", "1970-01-01",
                "1969-12-31", "1582-10-04", "1582-10-15"}) {
            assertEquals(ColumnReader.generalTemporal("date", date), ColumnReader.temporal("date", date), date);
            assertEquals(LocalDate.parse(date).toEpochDay(), PostgresIsoText.date(date), date);
        }
    }

    @Test
    void datesOutsideTheCommonFormAreDeclined() {
        for (String date : new String[]{"0001-01-01 BC", "10000-01-01", "infinity", "-infinity", "2023-02-29", "2024-13-01",
                "2024-00-10", "0000-01-01"}) {
            assertEquals(PostgresIsoText.NO_MATCH, PostgresIsoText.date(date), date);
        }
    }

    @Test
    void timesOfEveryFractionLengthAndMidnightAtTwentyFourAgreeWithTheGeneralReading() {
        for (String time : new String[]{"00:00:00", "24:00:00", "23:59:59.999999", "12:00:00.5", "12:00:00.05", "12:00:00.005",
                "12:00:00.0005", "12:00:00.00005", "12:00:00.000005", "01:02:03.123456"}) {
            assertEquals(ColumnReader.micros(time), PostgresIsoText.time(time), time);
            assertEquals(ColumnReader.generalTemporal("time", time), ColumnReader.temporal("time", time), time);
        }
        assertEquals(PostgresIsoText.NO_MATCH, PostgresIsoText.time("24:00:00.000001"));
        assertEquals(PostgresIsoText.NO_MATCH, PostgresIsoText.time("12:00:00.1234567"));
    }

    @Test
    void timestampsOfEveryFractionLengthAgreeWithTheGeneralReading() {
        for (String ts : new String[]{"0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "1969-12-31 23:59:59.999999",
                "1970-01-01 00:00:00", "2024-02-29 12:34:56.1", "2024-02-29 12:34:56.12", "2024-02-29 12:34:56.123",
                "2024-02-29 12:34:56.1234", "2024-02-29 12:34:56.12345", "2024-02-29 12:34:56.123456", "1582-10-04 23:59:59.5"}) {
            assertEquals(ColumnReader.generalTemporal("timestamp", ts), ColumnReader.temporal("timestamp", ts), ts);
            assertEquals(ColumnReader.generalTemporal("timestamptz", ts + "+00"), ColumnReader.temporal("timestamptz", ts + "+00"), ts);
        }
    }

    @Test
    void timestamptzDropsTrailingFractionZerosAsIsoPrintingDoes() {
        assertEquals("2026-01-01T00:00:01.0001Z", PostgresIsoText.timestamptz("2026-01-01 00:00:01.000100+00"));
        assertEquals("2026-01-01T00:00:01Z", PostgresIsoText.timestamptz("2026-01-01 00:00:01.000000+00"));
        assertEquals("2026-01-01T00:00:01Z", PostgresIsoText.timestamptz("2026-01-01 00:00:01+00"));
        assertEquals("0001-01-01T00:00:00.000001Z", PostgresIsoText.timestamptz("0001-01-01 00:00:00.000001+00"));
    }

    @Test
    void timestampsOutsideTheCommonFormAreDeclinedAndReadGenerally() {
        for (String ts : new String[]{"0001-12-31 23:59:59 BC", "10000-01-01 00:00:00", "infinity", "-infinity",
                "2024-02-29 24:00:00"}) {
            assertEquals(PostgresIsoText.NO_MATCH, PostgresIsoText.timestamp(ts), ts);
        }
        for (String ts : new String[]{"0001-12-31 23:59:59+00 BC", "10000-01-01 00:00:00+00", "infinity", "2024-01-01 00:00:00+01",
                "2024-01-01 00:00:00+05:30"}) {
            assertNull(PostgresIsoText.timestamptz(ts), ts);
        }
        assertEquals("0000-12-31T23:59:59Z", ColumnReader.temporal("timestamptz", "0001-12-31 23:59:59+00 BC").value());
        assertEquals("+10000-01-01T00:00:00.5Z", ColumnReader.temporal("timestamptz", "10000-01-01 00:00:00.5+00").value());
    }

    @Test
    void tenThousandSpreadTimestampsAgreeWithTheGeneralReading() {
        Random random = new Random(8);
        long min = LocalDateTime.of(1, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
        long max = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);
        for (int i = 0; i < 10_000; i++) {
            LocalDateTime value = LocalDateTime.ofEpochSecond(min + (long) (random.nextDouble() * (max - min)), 0, ZoneOffset.UTC);
            int micros = random.nextInt(1_000_000);
            // PostgreSQL prints the fraction without trailing zeros
            String fraction = micros == 0 ? "" : ("." + String.format("%06d", micros)).replaceAll("0+$", "");
            String ts = PG_TIMESTAMP.format(value) + fraction;
            assertEquals(ColumnReader.generalTemporal("timestamp", ts), ColumnReader.temporal("timestamp", ts), ts);
            assertEquals(ColumnReader.generalTemporal("timestamptz", ts + "+00"), ColumnReader.temporal("timestamptz", ts + "+00"), ts);
            String date = ts.substring(0, 10);
            assertEquals(ColumnReader.generalTemporal("date", date), ColumnReader.temporal("date", date), date);
        }
    }
}
