package io.greenlight.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the values of an unconstrained {@code numeric} column hold: the most integer digits and the
 * most fraction digits of any finite value (NaN and ±Infinity are left out). A target without
 * arbitrary-precision decimals sizes its column from it.
 */
public record NumericExtent(int integerDigits, int scale) {

    /** A column with no finite value yet. */
    public static final NumericExtent EMPTY = new NumericExtent(1, 0);

    /** Values no fixed-point DECIMAL holds exactly (a target stores them as text). */
    public static final NumericExtent BEYOND_DECIMAL = new NumericExtent(1000, 1000);

    /**
     * The extent of one value in PostgreSQL's numeric text ({@code -123.4500}, as the connector
     * sends it): null for NaN, ±Infinity or anything else that is not plain digits.
     */
    public static NumericExtent of(String text) {
        int start = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        int point = text.indexOf('.');
        int end = text.length();
        if (end == start || point == start || point == end - 1) {
            return null;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && i != point) {
                return null;
            }
        }
        int integer = (point < 0 ? end : point) - start;
        int leadingZeros = 0;
        while (leadingZeros < integer - 1 && text.charAt(start + leadingZeros) == '0') {
            leadingZeros++;
        }
        return new NumericExtent(Math.max(1, integer - leadingZeros), point < 0 ? 0 : end - point - 1);
    }

    /** Whether every value of {@code other} fits this extent. */
    public boolean holds(NumericExtent other) {
        return other.integerDigits <= integerDigits && other.scale <= scale;
    }

    /** The smallest extent holding both. */
    public NumericExtent union(NumericExtent other) {
        return new NumericExtent(Math.max(integerDigits, other.integerDigits), Math.max(scale, other.scale));
    }

    /** The columns a target sizes from the data: unconstrained, not arrays, replicated (not generated). */
    public static List<SourceColumn> measured(SourceTable table) {
        return table.columns().stream()
                .filter(c -> "numeric".equals(c.typeName()) && c.precision() <= 0 && !c.array() && !c.generated())
                .toList();
    }

    /** Reads the extents of the given columns of a source table in one scan. */
    public static Map<String, NumericExtent> read(Connection source, TableId table, List<SourceColumn> columns)
            throws SQLException {
        Map<String, NumericExtent> extents = new LinkedHashMap<>();
        if (columns.isEmpty()) {
            return extents;
        }
        String select = columns.stream().map(c -> {
            String name = TableId.quoteIdentifier(c.name());
            // scale() is NULL for NaN and ±Infinity: they have no digits to hold.
            return "max(length(trunc(abs(" + name + "))::text)) FILTER (WHERE scale(" + name + ") IS NOT NULL), max(scale("
                    + name + "))";
        }).collect(Collectors.joining(", "));
        try (PreparedStatement ps = source.prepareStatement("SELECT " + select + " FROM " + table.quoted());
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            for (int i = 0; i < columns.size(); i++) {
                extents.put(columns.get(i).name(), EMPTY.union(new NumericExtent(rs.getInt(2 * i + 1), rs.getInt(2 * i + 2))));
            }
        }
        return extents;
    }
}
