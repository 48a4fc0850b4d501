package io.greenlight.dialect;

import java.io.ByteArrayOutputStream;
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

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    private final StringBuilder line = new StringBuilder(256);
    private int rows;

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
            line.append(decimal.toPlainString());
        } else {
            String text = value.toString();
            for (int i = 0; i < text.length(); i++) {
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
    }

    public int rows() {
        return rows;
    }

    public int bytes() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    public void clear() {
        out.reset();
        rows = 0;
    }
}
