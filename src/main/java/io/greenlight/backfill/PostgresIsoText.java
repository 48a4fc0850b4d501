package io.greenlight.backfill;

import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * PostgreSQL's output of dates and times under DateStyle ISO and TimeZone UTC, read at fixed
 * positions: only the common form (year 0001-9999 AD, at most six fraction digits, offset +00).
 * Anything else (BC, five-digit years, infinity) answers {@link #NO_MATCH} and the caller takes its
 * general path. Why: parsing every value with DateTimeFormatter was about 30 % of the backfill's CPU.
 */
final class PostgresIsoText {

    static final long NO_MATCH = Long.MIN_VALUE;
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private PostgresIsoText() {
    }

    /** A date {@code YYYY-MM-DD} as epoch day. */
    static long date(String text) {
        return text.length() == 10 ? epochDay(text) : NO_MATCH;
    }

    /** A time {@code HH:MM:SS[.ffffff]} as microseconds of the day (24:00:00 included). */
    static long time(String text) {
        return microsOfDay(text, 0, text.length(), 24);
    }

    /** A timestamp {@code YYYY-MM-DD HH:MM:SS[.ffffff]} as microseconds since the epoch, read as UTC. */
    static long timestamp(String text) {
        if (text.length() < 19 || text.charAt(10) != ' ') {
            return NO_MATCH;
        }
        long day = epochDay(text);
        long micros = microsOfDay(text, 11, text.length(), 23);
        return day == NO_MATCH || micros == NO_MATCH ? NO_MATCH : day * MICROS_PER_DAY + micros;
    }

    /**
     * A timestamptz {@code YYYY-MM-DD HH:MM:SS[.ffffff]+00} as the text Debezium gives it
     * (ISO_OFFSET_DATE_TIME in UTC: {@code YYYY-MM-DDTHH:MM:SS[.fraction without trailing zeros]Z}),
     * or null when the text is not in the common form.
     */
    static String timestamptz(String text) {
        int end = text.length() - 3;
        if (end < 19 || !text.endsWith("+00") || text.charAt(10) != ' ' || epochDay(text) == NO_MATCH
                || microsOfDay(text, 11, end, 23) == NO_MATCH) {
            return null;
        }
        int last = end;
        if (end > 19) { // a fraction: ISO printing drops its trailing zeros, and the point with them
            while (text.charAt(last - 1) == '0') {
                last--;
            }
            if (text.charAt(last - 1) == '.') {
                last--;
            }
        }
        StringBuilder iso = new StringBuilder(last + 1);
        return iso.append(text, 0, 10).append('T').append(text, 11, last).append('Z').toString();
    }

    /** The epoch day of the {@code YYYY-MM-DD} at the text's start, a valid date of year 1-9999. */
    private static long epochDay(String text) {
        if (text.charAt(4) != '-' || text.charAt(7) != '-') {
            return NO_MATCH;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))) {
            return NO_MATCH;
        }
        return LocalDate.of(year, month, day).toEpochDay();
    }

    /** {@code HH:MM:SS[.f{1,6}]} spanning exactly [from, end), hours up to maxHour. */
    private static long microsOfDay(String text, int from, int end, int maxHour) {
        if (end - from < 8 || text.charAt(from + 2) != ':' || text.charAt(from + 5) != ':') {
            return NO_MATCH;
        }
        int hours = digits(text, from, from + 2);
        int minutes = digits(text, from + 3, from + 5);
        int seconds = digits(text, from + 6, from + 8);
        if (hours < 0 || hours > maxHour || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59
                || hours == 24 && (minutes > 0 || seconds > 0 || end > from + 8)) {
            return NO_MATCH;
        }
        long micros = (hours * 3600L + minutes * 60L + seconds) * 1_000_000L;
        if (end == from + 8) {
            return micros;
        }
        int fractionDigits = end - from - 9;
        if (text.charAt(from + 8) != '.' || fractionDigits < 1 || fractionDigits > 6) {
            return NO_MATCH;
        }
        int fraction = digits(text, from + 9, end);
        if (fraction < 0) {
            return NO_MATCH;
        }
        for (int i = fractionDigits; i < 6; i++) {
            fraction *= 10;
        }
        return micros + fraction;
    }

    /** The decimal number of the ASCII digits in [from, end), or -1 if any is not a digit. */
    private static int digits(String text, int from, int end) {
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
