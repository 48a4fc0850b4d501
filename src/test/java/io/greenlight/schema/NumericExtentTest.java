package io.greenlight.schema;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The digits one numeric value needs, from the text the connector sends. */
class NumericExtentTest {

    @Test
    void integerAndFractionDigitsOfPlainNumericText() {
        assertEquals(new NumericExtent(3, 2), NumericExtent.of("-123.45"));
        assertEquals(new NumericExtent(1, 4), NumericExtent.of("0.0001"));
        assertEquals(new NumericExtent(38, 0), NumericExtent.of("12345678901234567890123456789012345678"));
        assertEquals(new NumericExtent(1, 0), NumericExtent.of("0"));
        assertEquals(new NumericExtent(2, 1), NumericExtent.of("0070.5"), "leading zeros are no digits to hold");
    }

    @Test
    void specialValuesAndOtherFormsHaveNoExtent() {
        assertNull(NumericExtent.of("NAN"));
        assertNull(NumericExtent.of("POSITIVE_INFINITY"));
        assertNull(NumericExtent.of("1e5"));
        assertNull(NumericExtent.of("-"));
        assertNull(NumericExtent.of("1."));
    }

    @Test
    void anExtentHoldsValuesWithNoMoreDigitsOnEitherSide() {
        NumericExtent extent = new NumericExtent(5, 2);
        assertTrue(extent.holds(new NumericExtent(5, 2)));
        assertFalse(extent.holds(new NumericExtent(6, 0)));
        assertFalse(extent.holds(new NumericExtent(1, 3)));
        assertEquals(new NumericExtent(6, 3), extent.union(new NumericExtent(6, 3)));
    }
}
