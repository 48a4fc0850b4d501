package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;

/**
 * io.debezium.data.Bits (the bits of a bit/varbit value, little-endian as BitSet.toByteArray)
 * as a number for BIT(n) columns, or as a text of 0 and 1 for wider and varying bit strings.
 */
final class BitText {

    private BitText() {
    }

    static Object of(SourceColumn column, byte[] littleEndian) {
        if ("bit".equals(column.typeName()) && column.length() > 0 && column.length() <= 64) {
            long bits = 0;
            for (int i = Math.min(littleEndian.length, 8) - 1; i >= 0; i--) {
                bits = bits << 8 | (littleEndian[i] & 0xFF);
            }
            return bits;
        }
        int length = "bit".equals(column.typeName()) ? column.length() : littleEndian.length * 8;
        StringBuilder text = new StringBuilder(length);
        for (int i = length - 1; i >= 0; i--) {
            int b = i / 8;
            text.append(b < littleEndian.length && (littleEndian[b] >> (i % 8) & 1) == 1 ? '1' : '0');
        }
        return text.toString();
    }
}
