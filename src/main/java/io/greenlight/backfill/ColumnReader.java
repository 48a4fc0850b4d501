package io.greenlight.backfill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.time.Interval;
import io.greenlight.capture.PostgresTextForms;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.postgresql.PGStatement;
import org.postgresql.util.HStoreConverter;
import org.postgresql.util.PGInterval;
import org.postgresql.util.PGbytea;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Reads one source column from a backfill query and hands it over in the representation the
 * Debezium connector gives the same value in a change event (the schema names and value kinds
 * Greenlight's dialects bind): so a row copied by the backfill is written by exactly the code,
 * checks and lossy policy that write a streamed row.
 */
final class ColumnReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema DATE = SchemaBuilder.int64().name("io.debezium.time.Date").optional().build();
    private static final Schema MICRO_TIME = SchemaBuilder.int64().name("io.debezium.time.MicroTime").optional().build();
    private static final Schema ZONED_TIME = SchemaBuilder.string().name("io.debezium.time.ZonedTime").optional().build();
    private static final Schema MILLIS = SchemaBuilder.int64().name("io.debezium.time.Timestamp").optional().build();
    private static final Schema MICRO_TIMESTAMP = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build();
    private static final Schema ZONED_TIMESTAMP = SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build();
    private static final Schema BITS = SchemaBuilder.bytes().name("io.debezium.data.Bits").optional().build();
    private static final Schema JSON_TEXT = SchemaBuilder.string().name("io.debezium.data.Json").optional().build();
    /** The day numbers Debezium's streaming gives a date's ±infinity (TemporalText recognizes them). */
    private static final long INFINITY_DAY = LocalDate.parse("-5877611-06-21").toEpochDay();
    private static final long NEG_INFINITY_DAY = LocalDate.parse("-5877611-06-22").toEpochDay();
    private static final DateTimeFormatter DATE_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd");

    /** A value and the schema that says how to read it; schema null for plain values. */
    record Value(Schema schema, Object value) {
    }

    private final SourceColumn column;
    private final String kind;

    ColumnReader(SourceColumn column) {
        this.column = column;
        this.kind = column.typeName();
    }

    SourceColumn column() {
        return column;
    }

    /** The select-list expression for this column (the source reader's connection runs in UTC). */
    String projection() {
        String name = TableId.quoteIdentifier(column.name());
        if (column.array()) {
            // numeric[] as text: the driver cannot read NaN or ±Infinity elements as BigDecimal
            return temporal() || "numeric".equals(kind) || "interval".equals(kind) ? name + "::text[]" : name;
        }
        return "money".equals(kind) ? name + "::numeric" : name;
    }

    Value read(ResultSet rs, int index) throws SQLException {
        if (column.array()) {
            Array array = rs.getArray(index);
            if (array == null) {
                return new Value(null, null);
            }
            Object[] items = (Object[]) array.getArray();
            Schema element = elementSchema();
            List<Object> values = new ArrayList<>(items.length);
            for (Object item : items) {
                values.add(item == null ? null : element(item));
            }
            return new Value(SchemaBuilder.array(element == null ? Schema.OPTIONAL_STRING_SCHEMA : element).optional().build(),
                    values);
        }
        return switch (kind) {
            case "int2", "int4", "int8", "oid", "float4", "float8", "bool" -> new Value(null, rs.getObject(index));
            case "bytea" -> new Value(null, rs.getBytes(index));
            case "interval" -> {
                PGInterval iv = (PGInterval) rs.getObject(index);
                yield new Value(null, iv == null ? null : Interval.toIsoString(iv.getYears(), iv.getMonths(), iv.getDays(),
                        iv.getHours(), iv.getMinutes(), BigDecimal.valueOf(iv.getSeconds())));
            }
            case "hstore" -> {
                Object map = rs.getObject(index);
                yield new Value(JSON_TEXT, map == null ? null : json(map));
            }
            case "money" -> new Value(null, rs.getBigDecimal(index)); // read as numeric: exact, unlike the connector's double
            case "varbit" -> new Value(null, rs.getString(index)); // text with its length, as the capture's converter sends it
            case "bit" -> {
                String bits = rs.getString(index);
                yield new Value(BITS, bits == null ? null : bits(bits));
            }
            case "date", "time", "timetz", "timestamp", "timestamptz" -> {
                String text = rs.getString(index);
                yield text == null ? new Value(null, null) : temporal(kind, text);
            }
            default -> new Value(null, rs.getString(index)); // numeric, money (as numeric) and every textual form
        };
    }

    /** Whether {@link #fromText} reads this column (arrays are read from a result set). */
    boolean readsText() {
        return !column.array();
    }

    /**
     * The value of PostgreSQL's text output of this column (COPY TO's field, unescaped; null for
     * NULL) in the same representation {@link #read} gives it from a result set, in this session's
     * settings (TimeZone UTC, DateStyle ISO, IntervalStyle postgres, bytea_output hex).
     */
    Value fromText(String text) throws SQLException {
        if (text == null) {
            return new Value(null, null);
        }
        return switch (kind) {
            case "int2", "int4" -> new Value(null, Integer.valueOf(text));
            case "int8", "oid" -> new Value(null, Long.valueOf(text));
            case "float4" -> new Value(null, Float.valueOf(text));
            case "float8" -> new Value(null, Double.valueOf(text));
            case "bool" -> new Value(null, text.equals("t"));
            case "bytea" -> new Value(null, PGbytea.toBytes(text.getBytes(StandardCharsets.US_ASCII)));
            case "interval" -> {
                PGInterval iv = new PGInterval(text);
                yield new Value(null, Interval.toIsoString(iv.getYears(), iv.getMonths(), iv.getDays(),
                        iv.getHours(), iv.getMinutes(), BigDecimal.valueOf(iv.getSeconds())));
            }
            case "hstore" -> new Value(JSON_TEXT, json(HStoreConverter.fromString(text)));
            case "money" -> new Value(null, new BigDecimal(text)); // projected as numeric
            case "varbit" -> new Value(null, text);
            case "bit" -> new Value(BITS, bits(text));
            case "date", "time", "timetz", "timestamp", "timestamptz" -> temporal(kind, text);
            default -> new Value(null, text);
        };
    }

    private boolean temporal() {
        return switch (kind) {
            case "date", "time", "timetz", "timestamp", "timestamptz" -> true;
            default -> false;
        };
    }

    private Schema elementSchema() {
        return switch (kind) {
            case "date" -> DATE;
            case "time" -> MICRO_TIME;
            case "timestamp" -> MICRO_TIMESTAMP;
            case "timestamptz" -> ZONED_TIMESTAMP;
            default -> null;
        };
    }

    private Object element(Object item) {
        if (temporal()) {
            return temporal(kind, (String) item).value();
        }
        if (item instanceof BigDecimal decimal) {
            return decimal.toString();
        }
        if ("interval".equals(kind)) {
            return PostgresTextForms.isoInterval((String) item); // as capture sends interval[] elements
        }
        return item;
    }

    private static String json(Object map) {
        try {
            return JSON.writeValueAsString((Map<?, ?>) map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("hstore value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A bit string's bits as Debezium carries them: BitSet.toByteArray, bit 0 the rightmost. */
    static byte[] bits(String text) {
        BitSet set = new BitSet(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(text.length() - 1 - i) == '1') {
                set.set(i);
            }
        }
        return set.toByteArray();
    }

    /** PostgreSQL's ISO text of a date/time value (DateStyle ISO, TimeZone UTC) in Debezium's representation. */
    static Value temporal(String kind, String text) {
        Value common = commonTemporal(kind, text);
        return common != null ? common : generalTemporal(kind, text);
    }

    /** The usual values read at fixed positions (PostgresIsoText); null for the rest. */
    private static Value commonTemporal(String kind, String text) {
        switch (kind) {
            case "date": {
                long day = PostgresIsoText.date(text);
                return day == PostgresIsoText.NO_MATCH ? null : new Value(DATE, day);
            }
            case "time": {
                long micros = PostgresIsoText.time(text);
                return micros == PostgresIsoText.NO_MATCH ? null : new Value(MICRO_TIME, micros);
            }
            case "timestamp": {
                long micros = PostgresIsoText.timestamp(text);
                return micros == PostgresIsoText.NO_MATCH ? null : new Value(MICRO_TIMESTAMP, micros);
            }
            case "timestamptz": {
                String iso = PostgresIsoText.timestamptz(text);
                return iso == null ? null : new Value(ZONED_TIMESTAMP, iso);
            }
            default:
                return null;
        }
    }

    /** Every form PostgreSQL prints (BC, years beyond 9999, infinity) through java.time. */
    static Value generalTemporal(String kind, String text) {
        switch (kind) {
            case "date":
                if (text.equals("infinity") || text.equals("-infinity")) {
                    return new Value(DATE, text.startsWith("-") ? NEG_INFINITY_DAY : INFINITY_DAY);
                }
                return new Value(DATE, date(text).toEpochDay());
            case "time":
                return new Value(MICRO_TIME, micros(text));
            case "timetz": {
                int sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
                long micros = micros(text.substring(0, sign));
                OffsetTime time = OffsetTime.of(LocalTime.ofNanoOfDay(micros * 1000 % 86_400_000_000_000L),
                        ZoneOffset.of(text.substring(sign)));
                // Debezium sends timetz in UTC (the offset is lost, documented as lossy): the same here.
                return new Value(ZONED_TIME, DateTimeFormatter.ISO_OFFSET_TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC)));
            }
            case "timestamp":
                if (text.equals("infinity") || text.equals("-infinity")) {
                    return new Value(MILLIS, text.startsWith("-") ? PGStatement.DATE_NEGATIVE_INFINITY
                            : PGStatement.DATE_POSITIVE_INFINITY);
                }
                LocalDateTime local = dateTime(text);
                long seconds = local.toEpochSecond(ZoneOffset.UTC);
                return new Value(MICRO_TIMESTAMP, Math.multiplyExact(seconds, 1_000_000L) + local.getNano() / 1000);
            case "timestamptz":
                if (text.equals("infinity") || text.equals("-infinity")) {
                    return new Value(ZONED_TIMESTAMP, text);
                }
                // The reader's session runs in UTC: the text ends in +00 (before any " BC").
                boolean bc = text.endsWith(" BC");
                String body = bc ? text.substring(0, text.length() - 3) : text;
                int plus = body.lastIndexOf('+');
                LocalDateTime utc = dateTime(body.substring(0, plus) + (bc ? " BC" : ""));
                return new Value(ZONED_TIMESTAMP, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                        OffsetDateTime.of(utc, ZoneOffset.of(body.substring(plus)))));
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    private static LocalDate date(String text) {
        boolean bc = text.endsWith(" BC");
        String body = bc ? text.substring(0, text.length() - 3) : text;
        int dash = body.indexOf('-', 1);
        int year = Integer.parseInt(body.substring(0, dash));
        LocalDate parsed = LocalDate.parse("2000" + body.substring(dash), DATE_TEXT);
        return parsed.withYear(bc ? 1 - year : year);
    }

    private static LocalDateTime dateTime(String text) {
        boolean bc = text.endsWith(" BC");
        String body = bc ? text.substring(0, text.length() - 3) : text;
        int space = body.indexOf(' ');
        LocalDate day = date(body.substring(0, space) + (bc ? " BC" : ""));
        long micros = micros(body.substring(space + 1));
        return day.atStartOfDay().plusNanos(micros * 1000);
    }

    /** HH:MM:SS[.ffffff] as microseconds of the day; 24:00:00 stays 86,400,000,000. */
    static long micros(String text) {
        String[] hms = text.split(":");
        String[] secondsAndFraction = hms[2].split("\\.");
        long micros = (Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Long.parseLong(secondsAndFraction[0]))
                * 1_000_000L;
        if (secondsAndFraction.length > 1) {
            String fraction = (secondsAndFraction[1] + "000000").substring(0, 6);
            micros += Long.parseLong(fraction);
        }
        return micros;
    }
}
