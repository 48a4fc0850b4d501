package io.greenlight.dialect;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** LOAD DATA's text format: escapes, NULL, numbers exactly as BigDecimal prints them plainly, UTF-8. */
class TabSeparatedRowsTest {

    private static String render(Object... values) {
        TabSeparatedRows rows = new TabSeparatedRows();
        rows.add(values);
        return new String(rows.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void textIsEscapedForLoadData() {
        assertEquals("a\\tb\\nc\\\\d\\re\\0f\n", render("a\tb\nc\\d\re\0f"));
        assertEquals("\\\\\n", render("\\"));
        assertEquals("plain ä😀𝄞 é\n", render("plain ä😀𝄞 é"));
        assertEquals("\n", render(""));
        assertEquals("ü\\t😀\n", render("ü\t😀"));
    }

    @Test
    void nullsNumbersBooleansAndBytesHaveTheirFieldForms() {
        assertEquals("\\N\t-9223372036854775808\t2147483647\t-32768\t1\t0\t00ff0a\t1.5\n",
                render(null, Long.MIN_VALUE, Integer.MAX_VALUE, (short) -32768, true, false, new byte[]{0, -1, 10}, 1.5d));
    }

    @Test
    void decimalsAreWrittenAsToPlainStringWritesThem() {
        String[] values = {"0", "0.00", "-0.05", "0.000000000000000000000000000001", "-9999999999.99", "9999999999999.99",
                "123.40", "-1", "99999999999999999999999999999999999999", "-99999999999999999999999999999999999.999999999999999999999999999999",
                "1E+3", "-1.5E+10", "123456789012345678", "1234567890123456789", "-0.000001", "100"};
        for (String value : values) {
            BigDecimal decimal = new BigDecimal(value);
            assertEquals(decimal.toPlainString() + "\n", render(decimal), value);
        }
        Random random = new Random(8);
        for (int i = 0; i < 10_000; i++) {
            BigDecimal decimal = BigDecimal.valueOf(random.nextLong() >> random.nextInt(64), random.nextInt(20));
            assertEquals(decimal.toPlainString() + "\n", render(decimal), decimal.toString());
        }
    }

    @Test
    void fieldsAreTabSeparatedAndRowsNewlineTerminated() {
        TabSeparatedRows rows = new TabSeparatedRows();
        rows.add(new Object[]{1L, "a"});
        rows.add(new Object[]{2L, null});
        assertEquals("1\ta\n2\t\\N\n", new String(rows.toByteArray(), StandardCharsets.UTF_8));
        assertEquals(2, rows.rows());
    }

    @Test
    void theRowsCanBeReadInPlaceUntilCleared() throws Exception {
        TabSeparatedRows rows = new TabSeparatedRows(4);
        rows.add(new Object[]{"grows past its first size", 1L});
        assertEquals("grows past its first size\t1\n", new String(rows.inputStream().readAllBytes(), StandardCharsets.UTF_8));
        rows.clear();
        assertEquals(0, rows.inputStream().readAllBytes().length);
    }

    @Test
    void sourceTextPassesThroughAndOnlyFormFeedAndVerticalTabAreRewrittenForLoadData() {
        // COPY's escaped text: \\ b \\ f c \t d \f e \\ v f \v g \\ N
        byte[] field = "a\\\\b\\\\fc\\td\\fe\\\\vf\\vg\\\\N".getBytes(StandardCharsets.UTF_8);
        TabSeparatedRows load = new TabSeparatedRows();
        load.sourceText(field, 0, field.length);
        load.sourceText("\\N".getBytes(StandardCharsets.UTF_8), 0, 2);
        load.endRow();
        assertEquals("a\\\\b\\\\fc\\td\fe\\\\vf\u000Bg\\\\N\t\\N\n", new String(load.toByteArray(), StandardCharsets.UTF_8));
        TabSeparatedRows copy = TabSeparatedRows.copyFormat(16);
        copy.sourceText(field, 0, field.length);
        copy.endRow();
        assertEquals(new String(field, StandardCharsets.UTF_8) + "\n", new String(copy.toByteArray(), StandardCharsets.UTF_8));
    }

    @Test
    void copyFormatWritesBytesAsByteaHexInputAndBooleansAsTAndF() {
        TabSeparatedRows rows = TabSeparatedRows.copyFormat(16);
        rows.add(new Object[]{new byte[]{0, -1, 10}, true, false, null, "a\tb"});
        assertEquals("\\\\x00ff0a\tt\tf\t\\N\ta\\tb\n", new String(rows.toByteArray(), StandardCharsets.UTF_8));
    }

    @Test
    void fieldsOfBoundValuesAndSourceTextMixInOneRow() {
        TabSeparatedRows rows = new TabSeparatedRows();
        rows.value(1L);
        rows.sourceText("x\\ty".getBytes(StandardCharsets.UTF_8), 0, 4);
        rows.value("ü");
        rows.endRow();
        assertEquals("1\tx\\ty\tü\n", new String(rows.toByteArray(), StandardCharsets.UTF_8));
        assertEquals(1, rows.rows());
    }
}
