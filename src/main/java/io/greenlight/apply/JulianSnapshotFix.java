package io.greenlight.apply;

import io.greenlight.schema.ChangeOp;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.GregorianCalendar;
import java.util.TimeZone;

/**
 * Debezium 3.5 reads snapshot timestamps through java.sql.Timestamp, whose calendar switches to
 * Julian before 1582-10-15: '0001-01-01 00:00' arrives as 0000-12-30 (debezium/dbz#1916; fixed
 * upstream after 3.5). Streaming is not affected. This undoes the shift for snapshot rows, so that
 * both paths carry PostgreSQL's proleptic Gregorian value. Assumes the JVM runs in UTC (TZ=UTC),
 * as the JDBC driver builds the Timestamp in the JVM's default zone.
 */
final class JulianSnapshotFix {

    /** 1582-10-15T00:00Z, the Gregorian cutover, in epoch microseconds. */
    private static final long CUTOVER_MICROS = -12_219_292_800_000_000L;
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    static {
        TimeZone zone = TimeZone.getDefault();
        if (zone.getRawOffset() != 0 || zone.useDaylightTime()) {
            org.jboss.logging.Logger.getLogger(JulianSnapshotFix.class).warnf("The JVM runs in time zone %s: snapshot "
                    + "timestamps before 1582 may arrive shifted. Run Greenlight with TZ=UTC.", zone.getID());
        }
    }

    private JulianSnapshotFix() {
    }

    /** Corrects the snapshot row image in place; returns the same change. */
    static Change apply(Change change) {
        if (change.op() == ChangeOp.READ && change.after() != null) {
            Struct after = change.after();
            for (Field field : after.schema().fields()) {
                Object value = after.get(field);
                Object fixed = fix(field, value);
                if (fixed != value) {
                    after.put(field, fixed);
                }
            }
        }
        return change;
    }

    private static Object fix(Field field, Object value) {
        String name = field.schema().name();
        if (value == null || name == null) {
            return value;
        }
        if (name.equals("io.debezium.time.MicroTimestamp") && (Long) value < CUTOVER_MICROS) {
            return proleptic((Long) value);
        }
        if (name.equals("io.debezium.time.ZonedTimestamp") && ((String) value).compareTo("1582-10-15") < 0
                && Character.isDigit(((String) value).charAt(0))) {
            Instant instant = OffsetDateTime.parse((String) value).toInstant();
            long micros = Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
            long corrected = proleptic(micros);
            return Instant.ofEpochSecond(Math.floorDiv(corrected, 1_000_000L), Math.floorMod(corrected, 1_000_000L) * 1_000L)
                    .atOffset(ZoneOffset.UTC).toString();
        }
        return value;
    }

    /** The Julian-calendar wall time these microseconds denote, as proleptic Gregorian microseconds. */
    private static long proleptic(long micros) {
        GregorianCalendar calendar = new GregorianCalendar(UTC);
        calendar.setTimeInMillis(Math.floorDiv(micros, 1_000L));
        int year = calendar.get(GregorianCalendar.ERA) == GregorianCalendar.BC ? 1 - calendar.get(GregorianCalendar.YEAR)
                : calendar.get(GregorianCalendar.YEAR);
        LocalDateTime wall = LocalDateTime.of(year, calendar.get(GregorianCalendar.MONTH) + 1,
                calendar.get(GregorianCalendar.DAY_OF_MONTH), calendar.get(GregorianCalendar.HOUR_OF_DAY),
                calendar.get(GregorianCalendar.MINUTE), calendar.get(GregorianCalendar.SECOND));
        return wall.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + Math.floorMod(micros, 1_000_000L);
    }
}
