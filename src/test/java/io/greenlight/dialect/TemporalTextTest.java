package io.greenlight.dialect;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * MySQL literals of Debezium's temporal values: the fixed-position rendering equals what
 * DateTimeFormatter prints, and values outside years 1-9999 are refused or, where accepted, clamped.
 */
class TemporalTextTest {

    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

    private static String viaJavaTime(String zoned) {
        return DATETIME.format(OffsetDateTime.parse(zoned).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
    }

    @Test
    void zonedTimestampsOfEveryFractionLengthMatchJavaTimePrinting() {
        for (String zoned : new String[]{"2026-01-01T00:00:01Z", "2026-01-01T00:00:01.5Z", "2026-01-01T00:00:01.05Z",
                "2026-01-01T00:00:01.005Z", "2026-01-01T00:00:01.0005Z", "2026-01-01T00:00:01.00005Z",
                "2026-01-01T00:00:01.000005Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2024-02-29T12:00:00Z",
                "2026-01-01T00:00:01.1234567Z", "2026-01-01T00:00:01.123456789Z", "2024-01-01T00:00:00+14:00",
                "2023-12-31T23:59:59.5-12:00", "2024-10-27T02:30:00+02:00"}) {
            assertEquals(viaJavaTime(zoned), TemporalText.zoned(zoned, false), zoned);
        }
    }

    @Test
    void zonedTimestampsOutsideYearsOneTo9999AreRefusedOrClampedWhenAccepted() {
        assertThrows(LossyValueException.class, () -> TemporalText.zoned("0000-12-31T23:59:59Z", false));
        assertThrows(LossyValueException.class, () -> TemporalText.zoned("+10000-01-01T00:00:00Z", false));
        assertThrows(LossyValueException.class, () -> TemporalText.zoned("9999-12-31T23:59:59.9999995Z", false));
        assertThrows(LossyValueException.class, () -> TemporalText.zoned("infinity", false));
        assertEquals("0001-01-01 00:00:00.000000", TemporalText.zoned("0000-12-31T23:59:59Z", true));
        assertEquals("9999-12-31 23:59:59.999999", TemporalText.zoned("+10000-01-01T00:00:00Z", true));
        assertEquals("9999-12-31 23:59:59.999999", TemporalText.zoned("infinity", true));
        assertEquals("0001-01-01 00:00:00.000000", TemporalText.zoned("-infinity", true));
    }

    @Test
    void invalidZonedTimestampsFailAsJavaTimeParsingFails() {
        assertThrows(RuntimeException.class, () -> TemporalText.zoned("2023-02-29T00:00:00Z", false));
        assertThrows(RuntimeException.class, () -> TemporalText.zoned("2023-01-01T24:00:00Z", false));
    }

    @Test
    void tenThousandSpreadInstantsRenderAsJavaTimePrintsThem() {
        Random random = new Random(8);
        long min = LocalDateTime.of(1, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
        long max = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);
        for (int i = 0; i < 10_000; i++) {
            long seconds = min + (long) (random.nextDouble() * (max - min));
            long micros = seconds * 1_000_000L + random.nextInt(1_000_000);
            String expected = DATETIME.format(LocalDateTime.ofInstant(
                    Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L), ZoneOffset.UTC));
            assertEquals(expected, TemporalText.micros(micros, false));
            String zoned = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, Math.floorMod(micros, 1_000_000L) * 1000), ZoneOffset.UTC));
            assertEquals(expected, TemporalText.zoned(zoned, false), zoned);
            long day = Math.floorDiv(seconds, 86_400L);
            assertEquals(LocalDate.ofEpochDay(day).format(DateTimeFormatter.ofPattern("uuuu-MM-dd")), TemporalText.date(day, false));
        }
    }

    @Test
    void timesOfDayHaveSixFractionDigitsAndKeepTwentyFour() {
        assertEquals("00:00:00.000000", TemporalText.timeOfDay(0));
        assertEquals("24:00:00.000000", TemporalText.timeOfDay(86_400_000_000L));
        assertEquals("23:59:59.999999", TemporalText.timeOfDay(86_399_999_999L));
        assertEquals("12:00:00.500000", TemporalText.timeOfDay(43_200_500_000L));
        assertEquals("04:45:30.123456", TemporalText.zonedTime("10:15:30.123456+05:30"));
    }

    @Test
    void timestampsAndDatesOutsideYearsOneTo9999AreRefused() {
        long yearZero = LocalDate.of(0, 12, 31).toEpochDay();
        assertThrows(LossyValueException.class, () -> TemporalText.date(yearZero, false));
        assertEquals("0001-01-01", TemporalText.date(yearZero, true));
        assertThrows(LossyValueException.class, () -> TemporalText.micros(yearZero * 86_400_000_000L, false));
        assertEquals("0001-01-01 00:00:00.000000", TemporalText.micros(yearZero * 86_400_000_000L, true));
        assertEquals("1969-12-31 23:59:59.999999", TemporalText.micros(-1, false));
    }
}
