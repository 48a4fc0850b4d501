package io.greenlight.backfill;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One row of PostgreSQL's {@code COPY … TO STDOUT} text output (UTF-8): fields separated by tabs,
 * the row ended by a newline, {@code \N} for NULL, backslash escapes for backslash and control
 * characters. A data tab or newline is always escaped, so splitting at the raw bytes is exact.
 * The row's bytes are used in place; {@link #text} decodes a field only when it is asked for.
 */
final class CopyTextRow {

    private final int[] starts;
    private final int[] ends;
    private byte[] row;

    CopyTextRow(int columns) {
        this.starts = new int[columns];
        this.ends = new int[columns];
    }

    /** Splits one row as COPY sends it (one message per row, newline included); throws when its field count is not the columns'. */
    CopyTextRow parse(byte[] bytes) {
        this.row = bytes;
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\n' ? bytes.length - 1 : bytes.length;
        int field = 0;
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\t') {
                if (field == starts.length - 1) {
                    throw new IllegalStateException("COPY sent more than the " + starts.length + " columns asked for");
                }
                starts[field] = start;
                ends[field++] = i;
                start = i + 1;
            }
        }
        if (field != starts.length - 1) {
            throw new IllegalStateException("COPY sent " + (field + 1) + " fields for " + starts.length + " columns");
        }
        starts[field] = start;
        ends[field] = length;
        return this;
    }

    byte[] bytes() {
        return row;
    }

    int start(int field) {
        return starts[field];
    }

    int end(int field) {
        return ends[field];
    }

    boolean isNull(int field) {
        return ends[field] - starts[field] == 2 && row[starts[field]] == '\\' && row[starts[field] + 1] == 'N';
    }

    /** The field's value as the text a result set's getString returns; null for NULL. */
    String text(int field) {
        return isNull(field) ? null : unescape(row, starts[field], ends[field]);
    }

    /** COPY's text escapes resolved: \b \f \n \r \t \v, \\, octal \NNN and hex \xHH (which COPY TO never writes). */
    static String unescape(byte[] bytes, int from, int to) {
        int backslash = -1;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\\') {
                backslash = i;
                break;
            }
        }
        if (backslash < 0) {
            return new String(bytes, from, to - from, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        out.write(bytes, from, backslash - from);
        for (int i = backslash; i < to; i++) {
            byte b = bytes[i];
            if (b != '\\' || i + 1 == to) {
                out.write(b);
                continue;
            }
            byte next = bytes[++i];
            switch (next) {
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write(10);
                case 'r' -> out.write(13);
                case 't' -> out.write(9);
                case 'v' -> out.write(11);
                case 'x' -> {
                    int value = 0;
                    int digits = 0;
                    while (digits < 2 && i + 1 < to && Character.digit(bytes[i + 1], 16) >= 0) {
                        value = value * 16 + Character.digit(bytes[++i], 16);
                        digits++;
                    }
                    out.write(digits == 0 ? 'x' : value);
                }
                default -> {
                    if (next >= '0' && next <= '7') {
                        int value = next - '0';
                        for (int digits = 1; digits < 3 && i + 1 < to && bytes[i + 1] >= '0' && bytes[i + 1] <= '7'; digits++) {
                            value = value * 8 + bytes[++i] - '0';
                        }
                        out.write(value);
                    } else {
                        out.write(next); // \\ and any other character stand for themselves
                    }
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
