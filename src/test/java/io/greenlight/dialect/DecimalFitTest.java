package io.greenlight.dialect;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Exact decimals into DECIMAL(p,s): the same value and scale as BigDecimal's parser, never rounded unasked. */
class DecimalFitTest {

    @Test
    void plainNumericTextReadsAsBigDecimalReadsIt() {
        for (String text : new String[]{"0", "0.00", "-0", "-0.05", "123.40", "-9999999999.99", "999999999999999999",
                "-999999999999999999", "0.00000000000000001", "1.5", "100", "-1"}) {
            assertEquals(new BigDecimal(text), DecimalFit.plain(text), text);
            assertEquals(new BigDecimal(text).scale(), DecimalFit.plain(text).scale(), text);
        }
        Random random = new Random(8);
        for (int i = 0; i < 10_000; i++) {
            String text = BigDecimal.valueOf(random.nextLong() >> random.nextInt(64), random.nextInt(19)).toPlainString();
            if (DecimalFit.plain(text) != null) {
                assertEquals(new BigDecimal(text), DecimalFit.plain(text), text);
            } else {
                assertEquals(true, text.replace("-", "").replace(".", "").length() > 18, text);
            }
        }
    }

    @Test
    void otherFormsAreLeftToBigDecimal() {
        for (String text : new String[]{"", "-", "1e3", "1E+3", ".5", "5.", "+5", "1.2.3", "NaN", "Infinity", "-Infinity",
                "1234567890123456789", "0.1234567890123456789", "1 ", "١٢"}) {
            assertNull(DecimalFit.plain(text), text);
        }
        assertEquals(new BigDecimal("1E+3"), DecimalFit.fit("1E+3", 10, 0, false));
        assertEquals(new BigDecimal("12345678901234567890.5"), DecimalFit.fit("12345678901234567890.5", 38, 1, false));
    }

    @Test
    void valuesThatDoNotFitAreRefusedUnlessRoundingIsAccepted() {
        assertThrows(LossyValueException.class, () -> DecimalFit.fit("1.005", 12, 2, false));
        assertEquals(new BigDecimal("1.01"), DecimalFit.fit("1.005", 12, 2, true));
        assertThrows(LossyValueException.class, () -> DecimalFit.fit("-10000000000.00", 12, 2, true));
        assertEquals(new BigDecimal("-9999999999.99"), DecimalFit.fit("-9999999999.99", 12, 2, false));
        assertThrows(LossyValueException.class, () -> DecimalFit.fit("abc", 12, 2, true));
    }
}
