package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;

import java.math.BigInteger;

/**
 * io.debezium.data.Bits (the bits of a bit/varbit value, little-endian as BitSet.toByteArray)
 * as a number for BIT(n) columns, or as a text of 0 and 1 for wider and varying bit strings. The
 * connector reads a bit string as a binary number: a varbit's leading zeros do not arrive.
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
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        String bits = littleEndian.length == 0 ? "" : new BigInteger(1, bigEndian).toString(2);
        if ("bit".equals(column.typeName())) {
            return "0".repeat(Math.max(0, column.length() - bits.length())) + bits;
        }
        return bits; // varbit: the connector does not carry the length, so leading zeros are lost
    }

    /** The bits as text of 0 and 1: a bit(n) padded to its n, a varbit as the connector's number. */
    static String bits(SourceColumn column, byte[] littleEndian) {
        if ("bit".equals(column.typeName()) && column.length() > 0 && column.length() <= 64) {
            String bits = Long.toBinaryString((Long) of(column, littleEndian));
            return "0".repeat(Math.max(0, column.length() - bits.length())) + bits;
        }
        return (String) of(column, littleEndian);
    }
}
