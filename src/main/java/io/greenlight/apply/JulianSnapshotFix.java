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

    static Change apply(Change change) {
        if (change.op() != ChangeOp.READ || change.after() == null || !needsFix(change.after())) {
            return change;
        }
        Struct after = change.after();
        Struct fixed = new Struct(after.schema());
        for (Field field : after.schema().fields()) {
            fixed.put(field, fix(field, after.get(field)));
        }
        return new Change(change.table(), change.op(), change.before(), fixed, change.lsn(), change.sourceTsMs(),
                change.topic(), change.partition(), change.offset());
    }

    private static boolean needsFix(Struct row) {
        for (Field field : row.schema().fields()) {
            Object value = row.get(field);
            if (value != null && fix(field, value) != value) {
                return true;
            }
        }
        return false;
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
