package io.greenlight.apply;

import io.greenlight.schema.UnchangedToast;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Finds unchanged TOASTed columns in an "after" image. A keyed row simply leaves them out of its
 * upsert; a keyless row (rewritten as delete + insert) takes them from its full "before" image.
 */
final class ToastFilter {

    private ToastFilter() {
    }

    static Set<String> unchanged(Struct row) {
        Set<String> names = new LinkedHashSet<>();
        for (Field field : row.schema().fields()) {
            if (UnchangedToast.is(row.get(field))) {
                names.add(field.name());
            }
        }
        return names;
    }

    /** The after image with each unchanged column's value taken from the before image. */
    static Struct fillFrom(Struct after, Struct before, Set<String> names, Change change) {
        Struct filled = new Struct(after.schema());
        for (Field field : after.schema().fields()) {
            Object value = after.get(field);
            if (names.contains(field.name())) {
                Field old = before == null ? null : before.schema().field(field.name());
                value = old == null ? null : before.get(old);
                if (value == null || UnchangedToast.is(value)) {
                    throw new ApplyException("Column " + change.table() + "." + field.name() + " is an unchanged TOAST "
                            + "value at " + change.coordinates() + " and the old row image lacks it, so the keyless row "
                            + "cannot be rewritten. Run: ALTER TABLE " + change.table() + " REPLICA IDENTITY FULL; "
                            + "or add a primary key, then restart Greenlight.");
                }
            }
            filled.put(field, value);
        }
        return filled;
    }
}
