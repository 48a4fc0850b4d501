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
                    + " integer digits: it does not fit DECIMAL(" + precision + "," + scale + ")");
        }
        return result;
    }

    private static BigDecimal parse(String text, int precision, int scale) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new LossyValueException("value " + text + " cannot be stored in DECIMAL(" + precision + "," + scale + ")");
        }
    }
}
