package io.greenlight.capture;

import io.debezium.time.Interval;
import org.postgresql.geometric.PGbox;
import org.postgresql.geometric.PGcircle;
import org.postgresql.geometric.PGline;
import org.postgresql.geometric.PGlseg;
import org.postgresql.geometric.PGpath;
import org.postgresql.geometric.PGpoint;
import org.postgresql.geometric.PGpolygon;
import org.postgresql.util.PGInterval;
import org.postgresql.util.PGobject;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's own text form of values the connector hands over parsed (geometric objects),
 * parses array literals into their element texts, and rewrites timestamptz text written in any
 * session time zone into UTC, as a session with TimeZone UTC prints it (what the backfill reads).
 * Verify reads the source's ranges through the same rewriting.
 */
public final class PostgresTextForms {

    private PostgresTextForms() {
    }

    /** The text of a value as PostgreSQL prints it; PGobject subclasses of the geometric types rendered as PostgreSQL does. */
    static String text(Object value) {
        if (value instanceof PGpoint p) {
            return point(p);
        }
        if (value instanceof PGbox b) {
            return point(b.point[0]) + "," + point(b.point[1]);
        }
        if (value instanceof PGlseg l) {
            return "[" + point(l.point[0]) + "," + point(l.point[1]) + "]";
        }
        if (value instanceof PGline l) {
            return "{" + float8(l.a) + "," + float8(l.b) + "," + float8(l.c) + "}";
        }
        if (value instanceof PGcircle c) {
            return "<" + point(c.center) + "," + float8(c.radius) + ">";
        }
        if (value instanceof PGpath p) {
            return (p.open ? "[" : "(") + points(p.points) + (p.open ? "]" : ")");
        }
        if (value instanceof PGpolygon p) {
            return "(" + points(p.points) + ")";
        }
        if (value instanceof PGobject o) {
            return o.getValue();
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return value.toString(); // String, and PgArray, whose toString is the array's text
    }

    private static String points(PGpoint[] points) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < points.length; i++) {
            out.append(i == 0 ? "" : ",").append(point(points[i]));
        }
        return out.toString();
    }

    private static String point(PGpoint p) {
        return "(" + float8(p.x) + "," + float8(p.y) + ")";
    }

    /**
     * A double as PostgreSQL 12+ prints float8 (extra_float_digits > 0, as every JDBC session has):
     * the shortest decimal that reads back as the same double; exponent form below 1e-4 and from 1e15.
     */
    static String float8(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        double magnitude = Math.abs(d);
        BigDecimal exact = new BigDecimal(magnitude);
        // PostgreSQL's Ryu takes the shortest decimal strictly inside the double's rounding interval
        // (a decimal exactly halfway to a neighbour is not taken), the one closest to the double.
        BigDecimal low = exact.add(new BigDecimal(Math.nextDown(magnitude))).divide(BigDecimal.valueOf(2));
        BigDecimal high = Double.isInfinite(Math.nextUp(magnitude)) ? exact.add(exact.subtract(low)) // MAX_VALUE
                : exact.add(new BigDecimal(Math.nextUp(magnitude))).divide(BigDecimal.valueOf(2));
        BigDecimal shortest = exact;
        search:
        for (int digits = 1; digits <= 17; digits++) {
            for (RoundingMode mode : new RoundingMode[]{RoundingMode.HALF_EVEN, RoundingMode.DOWN, RoundingMode.UP}) {
                BigDecimal candidate = exact.round(new MathContext(digits, mode));
                if (candidate.compareTo(low) > 0 && candidate.compareTo(high) < 0) {
                    shortest = candidate;
                    break search;
                }
            }
        }
        shortest = shortest.stripTrailingZeros();
        String sign = d < 0 ? "-" : "";
        int exponent = shortest.precision() - shortest.scale() - 1; // of the first digit
        if (exponent < -4 || exponent >= 15) {
            String digits = shortest.unscaledValue().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String e = String.format("%02d", Math.abs(exponent));
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + e;
        }
        return sign + shortest.toPlainString();
    }

    /**
     * The elements of an array literal ({@code {a,"b c",NULL}}) as text, SQL NULL as null, nested
     * arrays as lists. {@code delimiter} is ',' for every type but box (';').
     */
    public static List<Object> array(String literal, char delimiter) {
        int start = literal.indexOf('{');
        if (start < 0) {
            throw new IllegalArgumentException("not an array literal: " + literal);
        }
        int[] at = {start};
        return parseArray(literal, at, delimiter);
    }

    private static List<Object> parseArray(String s, int[] at, char delimiter) {
        List<Object> items = new ArrayList<>();
        at[0]++; // '{'
        if (s.charAt(at[0]) == '}') {
            at[0]++;
            return items;
        }
        while (true) {
            char c = s.charAt(at[0]);
            if (c == '{') {
                items.add(parseArray(s, at, delimiter));
            } else {
                StringBuilder element = new StringBuilder();
                boolean quoted = false;
                boolean inQuotes = false;
                while (true) {
                    c = s.charAt(at[0]);
                    if (c == '"') {
                        inQuotes = !inQuotes;
                        quoted = true;
                    } else if (c == '\\') {
                        element.append(s.charAt(++at[0]));
                        quoted = true;
                    } else if (!inQuotes && (c == delimiter || c == '}')) {
                        break;
                    } else {
                        element.append(c);
                    }
                    at[0]++;
                }
                String text = element.toString();
                items.add(!quoted && text.equalsIgnoreCase("NULL") ? null : text);
            }
            char next = s.charAt(at[0]++);
            if (next == '}') {
                return items;
            }
        }
    }

    /** An interval's text in any IntervalStyle PostgreSQL prints as the ISO 8601 duration Greenlight stores for intervals. */
    public static String isoInterval(String text) {
        try {
            PGInterval iv = new PGInterval(text);
            return Interval.toIsoString(iv.getYears(), iv.getMonths(), iv.getDays(), iv.getHours(),
                    iv.getMinutes(), BigDecimal.valueOf(iv.getSeconds()));
        } catch (SQLException e) {
            throw new IllegalArgumentException("not an interval: " + text, e);
        }
    }

    /** An array literal of element texts, every element quoted (nested lists as nested literals). */
    static String literal(List<?> items) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            out.append(i == 0 ? "" : ",");
            if (item == null) {
                out.append("NULL");
            } else if (item instanceof List<?> nested) {
                out.append(literal(nested));
            } else {
                out.append('"').append(item.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return out.append('}').toString();
    }

    /** A range's text ({@code ["2024-01-01 10:00:00+02",)}) with its timestamptz bounds in UTC. */
    public static String utcRange(String range) {
        if (range.equals("empty")) {
            return range;
        }
        char open = range.charAt(0);
        char close = range.charAt(range.length() - 1);
        String body = range.substring(1, range.length() - 1);
        List<String> bounds = new ArrayList<>(2);
        StringBuilder bound = new StringBuilder();
        boolean inQuotes = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '"') {
                inQuotes = !inQuotes;
            } else if (c == '\\') {
                bound.append(body.charAt(++i));
            } else if (c == ',' && !inQuotes) {
                bounds.add(bound.toString());
                bound.setLength(0);
            } else {
                bound.append(c);
            }
        }
        bounds.add(bound.toString());
        return open + rangeBound(bounds.get(0)) + "," + rangeBound(bounds.get(1)) + close;
    }

    /** A multirange's text ({@code {[a,b),[c,d)}}) with its timestamptz bounds in UTC. */
    public static String utcMultirange(String multirange) {
        StringBuilder out = new StringBuilder("{");
        int depthStart = -1;
        boolean inQuotes = false;
        for (int i = 1; i < multirange.length() - 1; i++) {
            char c = multirange.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                inQuotes = !inQuotes;
            } else if (!inQuotes && (c == '[' || c == '(') && depthStart < 0) {
                depthStart = i;
            } else if (!inQuotes && (c == ']' || c == ')') && depthStart >= 0) {
                out.append(out.length() > 1 ? "," : "").append(utcRange(multirange.substring(depthStart, i + 1)));
                depthStart = -1;
            }
        }
        return out.append('}').toString();
    }

    private static String rangeBound(String bound) {
        if (bound.isEmpty()) {
            return ""; // unbounded
        }
        String utc = utcTimestamptz(bound);
        boolean quote = utc.chars().anyMatch(ch -> Character.isWhitespace(ch) || "\"\\(),[]".indexOf(ch) >= 0);
        return quote ? '"' + utc.replace("\\", "\\\\").replace("\"", "\\\"") + '"' : utc;
    }

    /**
     * timestamptz text as PostgreSQL prints it with DateStyle ISO in any time zone
     * ({@code 2024-01-01 10:00:00.5+05:30}, {@code 0044-03-15 12:00:00+00:53:28 BC}) as a UTC session prints it.
     */
    static String utcTimestamptz(String text) {
        if (text.equals("infinity") || text.equals("-infinity")) {
            return text;
        }
        boolean bc = text.endsWith(" BC");
        String body = bc ? text.substring(0, text.length() - 3) : text;
        int space = body.indexOf(' ');
        int sign = Math.max(body.lastIndexOf('+'), body.lastIndexOf('-'));
        if (space < 0 || sign < space) {
            throw new IllegalArgumentException("not a timestamptz text: " + text);
        }
        String[] ymd = body.substring(0, space).split("-");
        int year = Integer.parseInt(ymd[0]);
        LocalDate day = LocalDate.of(bc ? 1 - year : year, Integer.parseInt(ymd[1]), Integer.parseInt(ymd[2]));
        String[] hms = body.substring(space + 1, sign).split(":");
        String[] secondsAndFraction = hms[2].split("\\.");
        long nanos = secondsAndFraction.length > 1
                ? Long.parseLong((secondsAndFraction[1] + "000000000").substring(0, 9)) : 0;
        LocalDateTime local = day.atStartOfDay().plusHours(Integer.parseInt(hms[0])).plusMinutes(Integer.parseInt(hms[1]))
                .plusSeconds(Integer.parseInt(secondsAndFraction[0])).plusNanos(nanos);
        String[] offset = body.substring(sign + 1).split(":");
        int offsetSeconds = Integer.parseInt(offset[0]) * 3600 + (offset.length > 1 ? Integer.parseInt(offset[1]) * 60 : 0)
                + (offset.length > 2 ? Integer.parseInt(offset[2]) : 0);
        LocalDateTime utc = local.minusSeconds(body.charAt(sign) == '-' ? -offsetSeconds : offsetSeconds);
        return format(utc);
    }

    /** UTC wall time as PostgreSQL prints timestamptz in a UTC session. */
    private static String format(LocalDateTime utc) {
        int year = utc.getYear();
        StringBuilder out = new StringBuilder();
        out.append(String.format("%04d-%02d-%02d %02d:%02d:%02d", year > 0 ? year : 1 - year, utc.getMonthValue(),
                utc.getDayOfMonth(), utc.getHour(), utc.getMinute(), utc.getSecond()));
        int micros = utc.getNano() / 1000;
        if (micros != 0) {
            String fraction = String.format("%06d", micros);
            int end = fraction.length();
            while (fraction.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.').append(fraction, 0, end);
        }
        out.append("+00");
        return year > 0 ? out.toString() : out.append(" BC").toString();
    }
}
