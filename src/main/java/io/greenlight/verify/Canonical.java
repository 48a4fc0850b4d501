package io.greenlight.verify;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HexFormat;

/** Canonical value forms shared by both sides: exact decimals, bytes with value equality, display text. */
final class Canonical {

    private Canonical() {
    }

    /** Bytes with value equality and unsigned lexicographic order (as bytea and VARBINARY sort). */
    record Bytes(byte[] value) implements Comparable<Bytes> {
        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public int compareTo(Bytes other) {
            return Arrays.compareUnsigned(value, other.value);
        }

        @Override
        public String toString() {
            return "\\x" + HexFormat.of().formatHex(value);
        }
    }

    static BigDecimal decimal(BigDecimal value) {
        return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    }

    /** The text a canonical value is hashed and shown as. */
    static String text(Object value) {
        return value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(value);
    }

    /** Code point order: what PostgreSQL's "C" collation and MySQL's utf8mb4_bin both sort by. */
    static int compareText(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
