package io.greenlight.dialect;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Rows for {@link Dialect#bulkLoad} in a tab-separated text format: tab between fields, newline
 * after each row, backslash escapes, {@code \N} for NULL. Two flavours: MySQL's LOAD DATA (binary
 * values as plain hex, booleans as 1/0) and PostgreSQL's COPY FROM text format (binary values as
 * bytea hex input {@code \\x…}). The values are the ones the dialect's binder produced for the same
 * columns, so the bulk path writes what a bound statement would; a field may also be the source's
 * own COPY text passed through ({@link #sourceText}) where the dialect says the target takes it as is.
 */
public final class TabSeparatedRows {

    private static final HexFormat HEX = HexFormat.of();

    private final Buffer out;
    private final boolean copyFormat;
    private final StringBuilder line = new StringBuilder(256);
    private int rows;
    private int fields;

    /** LOAD DATA's format. */
    public TabSeparatedRows() {
        this(1 << 20);
    }

    /** LOAD DATA's format; @param initialBytes the buffer's first size: the usual amount rendered before it is loaded and cleared */
    public TabSeparatedRows(int initialBytes) {
        this(initialBytes, false);
    }

    private TabSeparatedRows(int initialBytes, boolean copyFormat) {
        this.out = new Buffer(initialBytes);
        this.copyFormat = copyFormat;
    }

    /** PostgreSQL's COPY … FROM STDIN text format. */
    public static TabSeparatedRows copyFormat(int initialBytes) {
        return new TabSeparatedRows(initialBytes, true);
    }

    /** The rendered bytes, read in place and not synchronized (ByteArrayOutputStream locks on every write). */
    private static final class Buffer {
        private byte[] buf;
        private int count;

        Buffer(int size) {
            buf = new byte[Math.max(size, 16)];
        }

        void ensure(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        void put(byte b) {
            ensure(1);
            buf[count++] = b;
        }

        void put(byte[] bytes, int from, int length) {
            ensure(length);
            System.arraycopy(bytes, from, buf, count, length);
            count += length;
        }

        InputStream reader() {
            return new ByteArrayInputStream(buf, 0, count);
        }
    }

    /** One whole row of bound values. */
    public void add(Object[] values) {
        for (Object value : values) {
            value(value);
        }
        endRow();
    }

    /** The next field of the current row: a value as the dialect's binder produced it, null for NULL. */
    public void value(Object value) {
        separate();
        line.setLength(0);
        field(value);
        int length = line.length();
        out.ensure(length);
        for (int i = 0; i < length; i++) {
            char c = line.charAt(i);
            if (c >= 0x80) { // not ASCII: encode the rest as UTF-8
                byte[] bytes = line.substring(i).getBytes(StandardCharsets.UTF_8);
                out.put(bytes, 0, bytes.length);
                return;
            }
            out.buf[out.count++] = (byte) c;
        }
    }

    /**
     * The next field of the current row: the bytes [from, to) of a field of PostgreSQL's COPY TO
     * text output (UTF-8, backslash escapes, {@code \N} for NULL), taken as is. For LOAD DATA the
     * only escapes the two formats spell differently are rewritten: COPY writes form feed and
     * vertical tab as {@code \f} and {@code \v}, which LOAD DATA would read as the letters.
     */
    public void sourceText(byte[] row, int from, int to) {
        separate();
        if (copyFormat) {
            out.put(row, from, to - from);
            return;
        }
        out.ensure(to - from);
        int plain = from;
        for (int i = from; i < to; i++) {
            if (row[i] == '\\' && i + 1 < to) {
                byte next = row[i + 1];
                if (next == 'f' || next == 'v') {
                    out.put(row, plain, i - plain);
                    out.put((byte) (next == 'f' ? 0x0C : 0x0B));
                    plain = i + 2;
                }
                i++; // the escaped character is never the start of another escape
            }
        }
        out.put(row, plain, to - plain);
    }

    /** Ends the current row. */
    public void endRow() {
        out.put((byte) '\n');
        fields = 0;
        rows++;
    }

    private void separate() {
        if (fields++ > 0) {
            out.put((byte) '\t');
        }
    }

    private void field(Object value) {
        if (value == null) {
            line.append("\\N");
        } else if (value instanceof byte[] bytes) {
            line.append(copyFormat ? "\\\\x" : "").append(HEX.formatHex(bytes));
        } else if (value instanceof Boolean b) {
            line.append(copyFormat ? (b ? 't' : 'f') : (b ? '1' : '0'));
        } else if (value instanceof BigDecimal decimal) {
            plain(decimal);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            line.append(((Number) value).longValue());
        } else {
            text(value.toString());
        }
    }

    /** Text with the format's escapes; most values have none and are appended whole. */
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
        return out.count;
    }

    /** The rows rendered so far, read in place: valid until the next add or clear. */
    public InputStream inputStream() {
        return out.reader();
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(out.buf, out.count);
    }

    public void clear() {
        out.count = 0;
        fields = 0;
        rows = 0;
    }
}
