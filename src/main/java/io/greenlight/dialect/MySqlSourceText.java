package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;

/**
 * PostgreSQL's COPY TO text of a value, written for LOAD DATA without parsing it where the text
 * already is what MySQL takes and no check could refuse it: the usual dates and times (year
 * 0001-9999 AD, a timestamptz in UTC with its {@code +00} dropped), decimals of a numeric(p,s)
 * that DECIMAL(p,s) holds exactly, and booleans as 1/0. Any other text (NaN, infinity, BC, a
 * five-digit year) answers false and takes the binding's {@link ColumnBinding#value} path, with its
 * checks and lossy policy.
 */
final class MySqlSourceText {

    /** How a column's text is written as is. */
    enum Form { AS_IS, BOOLEAN, DECIMAL, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, NONE }

    private MySqlSourceText() {
    }

    /**
     * @param column    the source column
     * @param stored    the column as the target stores it (an unconstrained numeric sized from its values differs)
     * @param converted the types whose text MySQL does not take as is (see MySqlDialect)
     */
    static Form of(SourceColumn column, SourceColumn stored, java.util.Set<String> converted) {
        if (stored.array()) {
            return Form.NONE;
        }
        return switch (stored.typeName()) {
            case "bool" -> Form.BOOLEAN;
            // numeric(p,s) text has exactly s fraction digits and at most p - s integer digits: DECIMAL(p,s) holds it
            case "numeric" -> stored == column && column.precision() > 0
                    && column.precision() <= MySqlTypeMapper.MAX_DECIMAL_PRECISION && column.scale() >= 0
                    && column.scale() <= Math.min(column.precision(), MySqlTypeMapper.MAX_DECIMAL_SCALE) ? Form.DECIMAL : Form.NONE;
            case "date" -> Form.DATE;
            case "time" -> Form.TIME;
            case "timestamp" -> Form.TIMESTAMP;
            case "timestamptz" -> Form.TIMESTAMPTZ;
            default -> converted.contains(stored.typeName()) ? Form.NONE : Form.AS_IS;
        };
    }

    /** Writes the field [from, to) of a COPY row if its form allows; false when the value must be converted. */
    static boolean write(Form form, byte[] row, int from, int to, TabSeparatedRows out) {
        int length = to - from;
        if (length == 2 && row[from] == '\\' && row[from + 1] == 'N') {
            if (form == Form.NONE) {
                return false;
            }
            out.sourceText(row, from, to); // NULL is \N in both formats
            return true;
        }
        switch (form) {
            case AS_IS:
                out.sourceText(row, from, to);
                return true;
            case BOOLEAN:
                if (length == 1 && (row[from] == 't' || row[from] == 'f')) {
                    out.sourceText(row[from] == 't' ? ONE : ZERO, 0, 1);
                    return true;
                }
                return false;
            case DECIMAL:
                return plain(row, from, to, out, decimal(row, from, to));
            case DATE:
                return plain(row, from, to, out, length == 10 && date(row, from));
            case TIME:
                return plain(row, from, to, out, time(row, from, to));
            case TIMESTAMP:
                return plain(row, from, to, out, length >= 19 && date(row, from) && row[from + 10] == ' '
                        && time(row, from + 11, to));
            case TIMESTAMPTZ:
                if (length >= 22 && row[to - 3] == '+' && row[to - 2] == '0' && row[to - 1] == '0' && date(row, from)
                        && row[from + 10] == ' ' && time(row, from + 11, to - 3)) {
                    out.sourceText(row, from, to - 3); // the reader's session is in UTC: the wall time is UTC
                    return true;
                }
                return false;
            default:
                return false;
        }
    }

    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};

    private static boolean plain(byte[] row, int from, int to, TabSeparatedRows out, boolean matches) {
        if (matches) {
            out.sourceText(row, from, to);
        }
        return matches;
    }

    /** {@code -?digits[.digits]}: never NaN (numeric(p,s) holds no infinity). */
    private static boolean decimal(byte[] row, int from, int to) {
        int i = from < to && row[from] == '-' ? from + 1 : from;
        if (i == to) {
            return false;
        }
        for (; i < to; i++) {
            byte b = row[i];
            if ((b < '0' || b > '9') && b != '.') {
                return false;
            }
        }
        return true;
    }

    /** {@code YYYY-MM-DD} at from, a year 0001-9999 (AD: a BC date has " BC" after it, which the callers' lengths exclude). */
    private static boolean date(byte[] row, int from) {
        return digits(row, from, 4) && row[from + 4] == '-' && digits(row, from + 5, 2) && row[from + 7] == '-'
                && digits(row, from + 8, 2) && !(row[from] == '0' && row[from + 1] == '0' && row[from + 2] == '0'
                && row[from + 3] == '0');
    }

    /** {@code HH:MM:SS[.f{1,6}]} spanning exactly [from, to). */
    private static boolean time(byte[] row, int from, int to) {
        int length = to - from;
        if (length < 8 || length == 9 || length > 15 || !digits(row, from, 2) || row[from + 2] != ':'
                || !digits(row, from + 3, 2) || row[from + 5] != ':' || !digits(row, from + 6, 2)) {
            return false;
        }
        return length == 8 || row[from + 8] == '.' && digits(row, from + 9, length - 9);
    }

    private static boolean digits(byte[] row, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (row[i] < '0' || row[i] > '9') {
                return false;
            }
        }
        return true;
    }
}
