package io.greenlight.backfill;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One row of COPY TO's text output split into fields and unescaped as a result set's getString would return them. */
class CopyTextRowTest {

    private static CopyTextRow row(int columns, String text) {
        return new CopyTextRow(columns).parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nullIsBackslashNAndAnEmptyFieldIsTheEmptyString() {
        CopyTextRow row = row(3, "\\N\t\t\\\\N\n");
        assertTrue(row.isNull(0));
        assertNull(row.text(0));
        assertFalse(row.isNull(1));
        assertEquals("", row.text(1));
        assertFalse(row.isNull(2));
        assertEquals("\\N", row.text(2));
    }

    @Test
    void escapesOfControlCharactersAndBackslashAreResolved() {
        assertEquals("a\tb\nc\\d\re\ff\u000Bg\bh", row(1, "a\\tb\\nc\\\\d\\re\\ff\\vg\\bh\n").text(0));
        assertEquals("\u0001A!", row(1, "\\1\\101\\x21\n").text(0));
    }

    @Test
    void fieldsAreUtf8AndSplitOnlyAtRawTabs() {
        CopyTextRow row = row(2, "ä😀\\t𝄞\té\n");
        assertEquals("ä😀\t𝄞", row.text(0));
        assertEquals("é", row.text(1));
        assertEquals(0, row.start(0));
        assertEquals(row.bytes().length - 1, row.end(1));
    }

    @Test
    void aRowWithOtherThanTheAskedColumnCountIsRefused() {
        assertThrows(IllegalStateException.class, () -> row(3, "1\t2\n"));
        assertThrows(IllegalStateException.class, () -> row(1, "1\t2\n"));
    }
}
