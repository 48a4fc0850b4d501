package io.greenlight.apply;

import io.greenlight.schema.SourceTable;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.util.StringJoiner;

/** A row's identity for error messages: {id=42}, or the whole row (shortened) for keyless tables. */
final class RowKey {

    private static final int MAX_VALUE_CHARS = 40;

    private RowKey() {
    }

    static String of(SourceTable table, Struct row) {
        StringJoiner key = new StringJoiner(", ", "{", "}");
        for (String name : table.identityColumns()) {
            Field field = row.schema().field(name);
            if (field != null) {
                String value = String.valueOf(row.get(field));
                key.add(name + "=" + (value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) + "…" : value));
            }
        }
        return key.toString();
    }
}
