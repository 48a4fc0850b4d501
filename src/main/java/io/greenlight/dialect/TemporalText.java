package io.greenlight.dialect;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Year;
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
        LocalDate fitted = clamp(date.atStartOfDay(), accepted, "date " + date).toLocalDate();
        if (fitted.getYear() < 1 || fitted.getYear() > 9999) {
            return DATE.format(fitted);
        }
        return new String(digits(new char[10], fitted.getYear(), fitted.getMonthValue(), fitted.getDayOfMonth()));
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
        if (negativeInfinityElement(text)) {
            return infinity(false, accepted);
        }
        String common = commonZoned(text);
        if (common != null) {
            return common;
        }
        OffsetDateTime odt = OffsetDateTime.parse(text);
        return dateTimeText(clamp(odt.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime(), accepted, text));
    }

    /**
     * The connector (3.5) sends a timestamptz[] element -infinity as the JDBC driver's sentinel
     * printed without its era, a year past 292 million AD ({@code +292269055-12-02T23:00:00Z}; the
     * time depends on the JVM's zone). PostgreSQL's timestamps end in 294276 AD, and +infinity
     * arrives as "infinity": a year that large can only be -infinity.
     */
    static boolean negativeInfinityElement(String zoned) {
        if (zoned.length() < 12 || zoned.charAt(0) != '+') {
            return false;
        }
        int dash = zoned.indexOf('-', 1);
        return dash > 7 && Long.parseLong(zoned.substring(1, dash)) > 294_276L;
    }

    /** A time of day in microseconds; PostgreSQL allows 24:00:00, which MySQL's TIME also holds. */
    static String timeOfDay(long micros) {
        long seconds = micros / 1_000_000L;
        if (micros < 0 || seconds / 3600 > 99) { // not a time of day: shown as the numbers are
            return String.format("%02d:%02d:%02d.%06d", seconds / 3600, seconds / 60 % 60, seconds % 60, micros % 1_000_000L);
        }
        char[] text = new char[15];
        put(text, 0, (int) (seconds / 3600), 2);
        text[2] = ':';
        put(text, 3, (int) (seconds / 60 % 60), 2);
        text[5] = ':';
        put(text, 6, (int) (seconds % 60), 2);
        text[8] = '.';
        put(text, 9, (int) (micros % 1_000_000L), 6);
        return new String(text);
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
        return dateTimeText(clamp(utc, accepted, utc.toString()));
    }

    private static String infinity(boolean positive, boolean accepted) {
        if (!accepted) {
            throw new LossyValueException("value " + (positive ? "'infinity'" : "'-infinity'")
                    + " has no MySQL equivalent");
        }
        return dateTimeText(positive ? MAX : MIN);
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

    /**
     * The usual ZonedTimestamp, {@code YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z} with a year 0001-9999, read
     * at fixed positions: always within MySQL's range, so it is only rewritten. Null for any other
     * form (parsed by OffsetDateTime). Why: DateTimeFormatter parsing dominated the backfill's CPU.
     */
    private static String commonZoned(String text) {
        int length = text.length();
        if (length < 20 || length == 21 || length > 27 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
                || length > 20 && text.charAt(19) != '.') {
            return null;
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 7);
        int day = number(text, 8, 10);
        int hour = number(text, 11, 13);
        int minute = number(text, 14, 16);
        int second = number(text, 17, 19);
        int fraction = length > 20 ? number(text, 20, length - 1) : 0;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || fraction < 0) {
            return null;
        }
        for (int i = Math.max(length - 21, 0); i < 6; i++) {
            fraction *= 10;
        }
        return dateTimeText(year, month, day, hour, minute, second, fraction);
    }

    /** DATETIME(6) text, as DateTimeFormatter "uuuu-MM-dd HH:mm:ss.SSSSSS" prints it (fraction truncated). */
    private static String dateTimeText(LocalDateTime value) {
        if (value.getYear() < 1 || value.getYear() > 9999) {
            return DATETIME.format(value);
        }
        return dateTimeText(value.getYear(), value.getMonthValue(), value.getDayOfMonth(), value.getHour(),
                value.getMinute(), value.getSecond(), value.getNano() / 1000);
    }

    private static String dateTimeText(int year, int month, int day, int hour, int minute, int second, int micros) {
        char[] text = digits(new char[26], year, month, day);
        text[10] = ' ';
        put(text, 11, hour, 2);
        text[13] = ':';
        put(text, 14, minute, 2);
        text[16] = ':';
        put(text, 17, second, 2);
        text[19] = '.';
        put(text, 20, micros, 6);
        return new String(text);
    }

    /** YYYY-MM-DD into the first ten places; the caller has checked the year is 1-9999. */
    private static char[] digits(char[] text, int year, int month, int day) {
        put(text, 0, year, 4);
        text[4] = '-';
        put(text, 5, month, 2);
        text[7] = '-';
        put(text, 8, day, 2);
        return text;
    }

    /** A non-negative number as exactly {@code width} digits, zero-padded. */
    private static void put(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** The number of the ASCII digits in [from, end), or -1 if any is not a digit. */
    private static int number(String text, int from, int end) {
        int value = 0;
        for (int i = from; i < end; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
