package io.greenlight.dialect;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Fits an exact decimal into DECIMAL(p,s) without silent rounding: the target would round quietly. */
final class DecimalFit {

    private DecimalFit() {
    }

    /** The value, rounded half-up to the scale only when rounding is accepted; else a refusal. */
    static BigDecimal fit(String text, int precision, int scale, boolean accepted) {
        BigDecimal value = parse(text, precision, scale);
        BigDecimal result = value;
        if (value.scale() > scale) {
            result = value.setScale(scale, RoundingMode.HALF_UP);
            if (result.compareTo(value) != 0 && !accepted) {
                throw new LossyValueException("value " + value.toPlainString() + " has more than " + scale
                        + " fraction digits: it does not fit DECIMAL(" + precision + "," + scale + ")");
            }
        }
        int integerDigits = result.precision() - result.scale();
        if (integerDigits > precision - scale) {
            throw new LossyValueException("value " + value.toPlainString() + " has " + integerDigits
                    + " integer digits: it does not fit DECIMAL(" + precision + "," + scale + ")", false);
        }
        return result;
    }

    private static BigDecimal parse(String text, int precision, int scale) {
        BigDecimal plain = plain(text);
        if (plain != null) {
            return plain;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new LossyValueException("value " + text + " cannot be stored in DECIMAL(" + precision + "," + scale + ")", false);
        }
    }

    /**
     * The usual numeric text, {@code -?digits[.digits]} with at most 18 digits, read at fixed
     * positions: the same unscaled value and scale as new BigDecimal(text), whose general parser
     * was ~10 % of the backfill's CPU. Null for any other form.
     */
    static BigDecimal plain(String text) {
        int length = text.length();
        int start = length > 0 && text.charAt(0) == '-' ? 1 : 0;
        if (length == start || length - start > 19) {
            return null;
        }
        long unscaled = 0;
        int digits = 0;
        int point = -1;
        for (int i = start; i < length; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                unscaled = unscaled * 10 + (c - '0');
                digits++;
            } else if (c == '.' && point < 0 && i > start && i < length - 1) {
                point = i;
            } else {
                return null;
            }
        }
        if (digits > 18) {
            return null;
        }
        return BigDecimal.valueOf(start == 1 ? -unscaled : unscaled, point < 0 ? 0 : length - point - 1);
    }
}
