package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MySQL/MariaDB refuse a table whose declared column widths exceed 65,535 bytes ("Row size too
 * large"), counting a VARCHAR(n) in utf8mb4 as 4n bytes and TEXT as a pointer. PostgreSQL has no
 * such limit, so a table of many VARCHARs is valid there: the widest non-key VARCHARs are stored
 * as TEXT (which holds any VARCHAR up to 16,383 characters) until the row fits, and keep their
 * declared length as a CHECK constraint.
 */
final class MySqlRowFit {

    static final int MAX_ROW_BYTES = 65_535;
    /** Left for the row's own overhead (null bits, lengths) and the estimate's rounding. */
    private static final int RESERVE = 512;
    /** What a TEXT/BLOB column counts towards the limit. */
    private static final int POINTER_BYTES = 12;
    /** Fixed-size types (numbers, dates, DECIMAL up to 30 bytes): an upper bound. */
    private static final int FIXED_BYTES = 32;
    private static final Pattern SIZED = Pattern.compile("(VARCHAR|CHAR|VARBINARY|BINARY)\\((\\d+)\\)");

    private final MySqlTypeMapper types;
    private final Map<SourceTable, Map<String, Integer>> fitted = new ConcurrentHashMap<>();

    MySqlRowFit(MySqlTypeMapper types) {
        this.types = types;
    }

    /** The declared character length a column keeps as a CHECK because it is stored as TEXT; 0 if not. */
    int checkedLength(SourceTable table, SourceColumn column) {
        return textColumns(table).getOrDefault(column.name(), 0);
    }

    /** Column name → declared length, of the VARCHAR columns stored as TEXT so that the row fits. */
    Map<String, Integer> textColumns(SourceTable table) {
        return fitted.computeIfAbsent(table, this::fit);
    }

    private Map<String, Integer> fit(SourceTable table) {
        long total = 0;
        List<SourceColumn> candidates = new ArrayList<>();
        for (SourceColumn column : table.columns()) {
            int keyWidth = table.keyWidth(column.name());
            String type = types.map(column, keyWidth).sqlType();
            total += bytes(type);
            if (keyWidth == 0 && type.startsWith("VARCHAR(") && !column.array()) {
                candidates.add(column);
            }
        }
        Map<String, Integer> text = new LinkedHashMap<>();
        if (total <= MAX_ROW_BYTES - RESERVE) {
            return text;
        }
        candidates.sort(Comparator.comparingInt((SourceColumn c) -> -bytes(types.map(c, 0).sqlType()))
                .thenComparingInt(SourceColumn::position));
        for (SourceColumn column : candidates) {
            if (total <= MAX_ROW_BYTES - RESERVE) {
                break;
            }
            String type = types.map(column, 0).sqlType();
            total -= bytes(type) - POINTER_BYTES;
            text.put(column.name(), Integer.parseInt(type.substring("VARCHAR(".length(), type.length() - 1)));
        }
        return text;
    }

    /** What a column of this type counts towards the row limit, in bytes (utf8mb4: 4 per character). */
    static int bytes(String sqlType) {
        Matcher m = SIZED.matcher(sqlType);
        if (m.matches()) {
            int n = Integer.parseInt(m.group(2));
            return switch (m.group(1)) {
                case "VARCHAR" -> 4 * n + (4 * n > 255 ? 2 : 1);
                case "CHAR" -> 4 * n;
                case "VARBINARY" -> n + (n > 255 ? 2 : 1);
                default -> n;
            };
        }
        if (sqlType.endsWith("TEXT") || sqlType.endsWith("BLOB") || sqlType.equals("JSON")) {
            return POINTER_BYTES;
        }
        return FIXED_BYTES;
    }
}
