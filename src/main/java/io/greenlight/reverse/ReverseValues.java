package io.greenlight.reverse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A row read from the new primary's binlog, reshaped for the old source's original column types
 * (the PostgreSQL catalog's model): the PostgreSQL dialect then binds it as it binds forward
 * changes. Most values already have the form it takes (decimal text, microsecond times, bytes,
 * JSON text, enum labels); arrays the new primary holds as JSON become array literals, and an
 * unconstrained numeric drops the padding DECIMAL(65,30) added. Generated columns are left to the
 * old source to compute.
 */
final class ReverseValues {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Schema, Schema> shapes = new ConcurrentHashMap<>();

    /** The row for {@code table}'s original columns; null for null. */
    Struct toSource(SourceTable table, Struct row) {
        if (row == null) {
            return null;
        }
        Schema shape = shapes.computeIfAbsent(row.schema(), s -> shape(table, s));
        Struct out = new Struct(shape);
        for (Field field : shape.fields()) {
            SourceColumn column = table.column(field.name()).orElseThrow();
            out.put(field, value(table, column, row.schema().field(field.name()).schema(), row.get(field.name())));
        }
        return out;
    }

    private static Schema shape(SourceTable table, Schema row) {
        SchemaBuilder shape = SchemaBuilder.struct().name(row.name()).optional();
        for (Field field : row.fields()) {
            Optional<SourceColumn> column = table.column(field.name());
            if (column.isEmpty()) {
                throw new IllegalStateException("Column " + field.name() + " of " + table.id().table() + " exists on the new primary "
                        + "but not in the old source's table " + table.id() + ": reverse apply cannot keep it. Add the column "
                        + "on the old source (ALTER TABLE " + table.id().quoted() + " ADD COLUMN ...), then restart Greenlight.");
            }
            if (column.get().generated()) {
                continue; // the old source computes it
            }
            shape.field(field.name(), reshaped(column.get()) ? (field.schema().isOptional() ? Schema.OPTIONAL_STRING_SCHEMA
                    : Schema.STRING_SCHEMA) : field.schema());
        }
        return shape.build();
    }

    /** Columns whose value changes form on the way back. */
    private static boolean reshaped(SourceColumn column) {
        return column.array() || unconstrainedNumeric(column);
    }

    private static boolean unconstrainedNumeric(SourceColumn column) {
        return "numeric".equals(column.typeName()) && column.precision() <= 0;
    }

    private static Object value(SourceTable table, SourceColumn column, Schema schema, Object value) {
        if (value == null || !reshaped(column)) {
            return value;
        }
        if (column.array()) {
            try {
                return arrayLiteral(value.toString());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Column " + table.id() + "." + column.name() + " holds " + value
                        + " on the new primary, not the JSON array the old source's " + column.formatted() + " needs");
            }
        }
        String text = value.toString();
        try {
            BigDecimal exact = new BigDecimal(text).stripTrailingZeros();
            return exact.scale() < 0 ? exact.setScale(0).toPlainString() : exact.toPlainString();
        } catch (NumberFormatException e) {
            return text;
        }
    }

    /**
     * A JSON array as a PostgreSQL array literal, every element quoted: {"1",NULL,"a \"b\""}.
     * Numbers keep the text they were written with (1.50 stays 1.50).
     */
    static String arrayLiteral(String json) throws java.io.IOException {
        try (com.fasterxml.jackson.core.JsonParser parser = JSON.getFactory().createParser(json)) {
            if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                throw new com.fasterxml.jackson.core.JsonParseException(parser, "not a JSON array");
            }
            return array(parser);
        }
    }

    private static String array(com.fasterxml.jackson.core.JsonParser parser) throws java.io.IOException {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (com.fasterxml.jackson.core.JsonToken token = parser.nextToken(); token != com.fasterxml.jackson.core.JsonToken.END_ARRAY;
             token = parser.nextToken()) {
            out.append(first ? "" : ",");
            first = false;
            switch (token) {
                case VALUE_NULL -> out.append("NULL");
                case START_ARRAY -> out.append(array(parser));
                case START_OBJECT -> out.append(quoted(JSON.readTree(parser).toString()));
                default -> out.append(quoted(parser.getText()));
            }
        }
        return out.append('}').toString();
    }

    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
