package io.greenlight.schema;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The value the connector puts in an update's "after" image for a TOASTed column that did not
 * change (pgoutput does not send it): the target's value must be left in place.
 */
public final class UnchangedToast {

    /** Set as the connector's unavailable.value.placeholder; unlikely to be real data. */
    public static final String PLACEHOLDER = "__greenlight_unchanged_toast__";
    private static final byte[] PLACEHOLDER_BYTES = PLACEHOLDER.getBytes(StandardCharsets.UTF_8);

    private UnchangedToast() {
    }

    /** True for the placeholder as text, as bytes, or as the single element of an array or JSON text. */
    public static boolean is(Object value) {
        if (value instanceof String s) {
            return s.equals(PLACEHOLDER) || s.equals("\"" + PLACEHOLDER + "\"");
        }
        if (value instanceof byte[] bytes) {
            return Arrays.equals(bytes, PLACEHOLDER_BYTES);
        }
        if (value instanceof ByteBuffer buffer) {
            return buffer.remaining() == PLACEHOLDER_BYTES.length && buffer.duplicate().equals(ByteBuffer.wrap(PLACEHOLDER_BYTES));
        }
        if (value instanceof List<?> list) {
            return list.size() == 1 && is(list.get(0));
        }
        return false;
    }
}
