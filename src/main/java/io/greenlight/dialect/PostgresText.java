package io.greenlight.dialect;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Debezium's temporal values as PostgreSQL input text, exact to the microsecond: years before 1
 * as {@code BC}, the connector's infinity sentinels as {@code infinity} / {@code -infinity}.
 */
final class PostgresText {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("MM-dd");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");
    /** PostgreSQL's timestamp range is 4713 BC to 294276 AD: beyond it only an infinity sentinel can arrive. */
    private static final int MAX_YEAR = 294276;
    private static final int MIN_YEAR = -4712;

    private PostgresText() {
    }

    static String date(long epochDay) {
        Boolean infinity = TemporalText.dateInfinity(epochDay);
        if (infinity != null) {
            return infinity ? "infinity" : "-infinity";
        }
        return date(LocalDate.ofEpochDay(epochDay));
    }

    static String millis(long millis) {
        if (millis == TemporalText.INFINITY_MILLIS || millis == TemporalText.NEG_INFINITY_MILLIS) {
            return millis > 0 ? "infinity" : "-infinity";
        }
        return instant(Instant.ofEpochMilli(millis), millis);
    }

    /**
     * A timestamp's ±infinity arrives as the JDBC driver's infinity constant read as microseconds
     * (294247-01-10 04:00:25.2 and its negative): a real value exactly there is taken as infinity too.
     */
    static String micros(long micros) {
        if (micros == TemporalText.INFINITY_MILLIS || micros == TemporalText.NEG_INFINITY_MILLIS) {
            return micros > 0 ? "infinity" : "-infinity";
        }
        return instant(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L), micros);
    }

    static String nanos(long nanos) {
        return instant(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)), nanos);
    }

    private static String instant(Instant instant, long raw) {
        LocalDateTime wall;
        try {
            wall = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return raw > 0 ? "infinity" : "-infinity";
        }
        if (wall.getYear() > MAX_YEAR || wall.getYear() < MIN_YEAR) {
            return wall.getYear() > 0 ? "infinity" : "-infinity";
        }
        return date(wall.toLocalDate()).replace(" BC", "") + " " + TIME.format(wall) + (wall.getYear() <= 0 ? " BC" : "");
    }

    /** ISO years count a year 0; PostgreSQL writes 1 BC for it. */
    private static String date(LocalDate date) {
        int year = date.getYear();
        String text = String.format("%04d-%s", year > 0 ? year : 1 - year, DATE.format(date));
        return year > 0 ? text : text + " BC";
    }
}
