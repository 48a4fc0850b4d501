package io.greenlight.dialect;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * Debezium's temporal values as MySQL literals (DATE, TIME(6), DATETIME(6) in UTC), refusing what
 * MySQL cannot hold: 'infinity' and years outside 1-9999. Accepted columns get those clamped.
 */
final class TemporalText {

    static final LocalDateTime MIN = LocalDateTime.of(1, 1, 1, 0, 0);
    static final LocalDateTime MAX = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000);
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd");

    /** The JDBC driver's ±infinity (PGStatement.DATE_POSITIVE_INFINITY / DATE_NEGATIVE_INFINITY), in epoch millis. */
    static final long INFINITY_MILLIS = 9_223_372_036_825_200_000L;
    static final long NEG_INFINITY_MILLIS = -9_223_372_036_832_400_000L;
    /**
     * How Debezium renders a date's ±infinity as epoch days. Streaming: its sentinels -5877611-06-21
     * (+infinity in 3.5, +5877611-06-21 in later releases) and -5877611-06-22. Snapshot (3.5): the
     * JDBC driver's infinity java.sql.Date converted to a day count and truncated to int (JVM in UTC).
     * None of these is a date PostgreSQL can hold (4713 BC to 5874897 AD).
     */
    private static final Set<Long> INFINITY_DAYS = Set.of(LocalDate.parse("-5877611-06-21").toEpochDay(),
            LocalDate.parse("+5877611-06-21").toEpochDay(), (long) (int) new java.sql.Date(INFINITY_MILLIS)
                    .toLocalDate().toEpochDay());
    private static final Set<Long> NEG_INFINITY_DAYS = Set.of(LocalDate.parse("-5877611-06-22").toEpochDay(),
            (long) (int) new java.sql.Date(NEG_INFINITY_MILLIS).toLocalDate().toEpochDay());

    private TemporalText() {
    }

    /** TRUE for a Debezium +infinity date, FALSE for -infinity, null for a real date. */
    static Boolean dateInfinity(long epochDay) {
        return INFINITY_DAYS.contains(epochDay) ? Boolean.TRUE : NEG_INFINITY_DAYS.contains(epochDay) ? Boolean.FALSE : null;
    }

    static String date(long epochDay, boolean accepted) {
        if (INFINITY_DAYS.contains(epochDay) || NEG_INFINITY_DAYS.contains(epochDay)) {
            return infinity(INFINITY_DAYS.contains(epochDay), accepted).substring(0, 10);
        }
        LocalDate date;
        try {
            date = LocalDate.ofEpochDay(epochDay);
        } catch (RuntimeException e) {
            date = epochDay > 0 ? LocalDate.MAX : LocalDate.MIN;
        }
        return DATE.format(clamp(date.atStartOfDay(), accepted, "date " + date).toLocalDate());
    }

    static String micros(long micros, boolean accepted) {
        return dateTime(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L),
                accepted, micros);
    }

    static String millis(long millis, boolean accepted) {
        if (millis == INFINITY_MILLIS || millis == NEG_INFINITY_MILLIS) {
            return infinity(millis > 0, accepted);
        }
        return dateTime(Instant.ofEpochMilli(millis), accepted, millis);
    }

    static String nanos(long nanos, boolean accepted) {
        return dateTime(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)),
                accepted, nanos);
    }

    /** io.debezium.time.ZonedTimestamp: ISO text with offset, or 'infinity' / '-infinity'. */
    static String zoned(String text, boolean accepted) {
        if (text.equalsIgnoreCase("infinity") || text.equalsIgnoreCase("-infinity")) {
            return infinity(!text.startsWith("-"), accepted);
        }
        OffsetDateTime odt = OffsetDateTime.parse(text);
        return DATETIME.format(clamp(odt.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime(), accepted, text));
    }

    /** A time of day in microseconds; PostgreSQL allows 24:00:00, which MySQL's TIME also holds. */
    static String timeOfDay(long micros) {
        long seconds = micros / 1_000_000L;
        return String.format("%02d:%02d:%02d.%06d", seconds / 3600, seconds / 60 % 60, seconds % 60, micros % 1_000_000L);
    }

    /** io.debezium.time.ZonedTime, e.g. 10:15:30.123456Z (already UTC). */
    static String zonedTime(String text) {
        OffsetTime time = OffsetTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC);
        return timeOfDay(time.toLocalTime().toNanoOfDay() / 1_000L);
    }

    private static String dateTime(Instant instant, boolean accepted, long raw) {
        LocalDateTime utc;
        try {
            utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return infinity(raw > 0, accepted);
        }
        return DATETIME.format(clamp(utc, accepted, utc.toString()));
    }

    private static String infinity(boolean positive, boolean accepted) {
        if (!accepted) {
            throw new LossyValueException("value " + (positive ? "'infinity'" : "'-infinity'")
                    + " has no MySQL equivalent");
        }
        return DATETIME.format(positive ? MAX : MIN);
    }

    private static LocalDateTime clamp(LocalDateTime value, boolean accepted, String shown) {
        if (!value.isBefore(MIN) && !value.isAfter(MAX)) {
            return value;
        }
        if (!accepted) {
            throw new LossyValueException("value " + shown + " is outside MySQL's years 1-9999");
        }
        return value.isBefore(MIN) ? MIN : MAX;
    }
}
