package io.greenlight.dialect;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Rows for {@link Dialect#bulkLoad} as LOAD DATA's default text format: tab between fields,
 * newline after each row, backslash escapes, {@code \N} for NULL, binary values as hex. The
 * values are the ones the dialect's binder produced for the same columns, so the bulk path writes
 * what a bound statement would.
 */
public final class TabSeparatedRows {

    private static final HexFormat HEX = HexFormat.of();

    private final Buffer out;
    private final StringBuilder line = new StringBuilder(256);
    private int rows;

    public TabSeparatedRows() {
        this(1 << 20);
    }

    /** @param initialBytes the buffer's first size: the usual amount rendered before it is loaded and cleared */
    public TabSeparatedRows(int initialBytes) {
        this.out = new Buffer(initialBytes);
    }

    /** A byte buffer that can be read in place: the loads read megabytes, a copy per load is waste. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        InputStream reader() {
            return new ByteArrayInputStream(buf, 0, count);
        }
    }

    public void add(Object[] values) {
        line.setLength(0);
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append('\t');
            }
            field(values[i]);
        }
        line.append('\n');
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        rows++;
    }

    private void field(Object value) {
        if (value == null) {
            line.append("\\N");
        } else if (value instanceof byte[] bytes) {
            line.append(HEX.formatHex(bytes));
        } else if (value instanceof Boolean b) {
            line.append(b ? '1' : '0');
        } else if (value instanceof BigDecimal decimal) {
            plain(decimal);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            line.append(((Number) value).longValue());
        } else {
            text(value.toString());
        }
    }

    /** Text with LOAD DATA's escapes; most values have none and are appended whole. */
    private void text(String text) {
        int length = text.length();
        int plain = 0;
        while (plain < length && !special(text.charAt(plain))) {
            plain++;
        }
        line.append(text, 0, plain);
        for (int i = plain; i < length; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\0' -> line.append("\\0");
                default -> line.append(c);
            }
        }
    }

    private static boolean special(char c) {
        return c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
    }

    /**
     * BigDecimal.toPlainString's text, written straight into the line for the usual decimal (an
     * unscaled value that fits a long, scale 0 or more): toPlainString's intermediate strings were
     * ~8 % of the backfill's CPU. Other decimals take toPlainString.
     */
    private void plain(BigDecimal decimal) {
        int scale = decimal.scale();
        if (scale < 0 || decimal.precision() > 18) {
            line.append(decimal.toPlainString());
            return;
        }
        long unscaled = decimal.unscaledValue().longValue();
        if (unscaled < 0) {
            line.append('-');
        }
        int digitsAt = line.length();
        line.append(Math.abs(unscaled));
        if (scale > 0) {
            int missing = scale + 1 - (line.length() - digitsAt); // "0." and leading fraction zeros
            for (int i = 0; i < missing; i++) {
                line.insert(digitsAt, '0');
            }
            line.insert(line.length() - scale, '.');
        }
    }

    public int rows() {
        return rows;
    }

    public int bytes() {
        return out.size();
    }

    /** The rows rendered so far, read in place: valid until the next add or clear. */
    public InputStream inputStream() {
        return out.reader();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    public void clear() {
        out.reset();
        rows = 0;
    }
}
