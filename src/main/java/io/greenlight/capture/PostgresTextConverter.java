package io.greenlight.capture;

import io.debezium.connector.postgresql.UnchangedToastedReplicationMessageColumn;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.greenlight.schema.UnchangedToast;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * A Debezium custom converter (registered in {@link DebeziumProperties}) for the values the
 * connector would otherwise change or drop: it sends PostgreSQL's own text form, which is exact.
 * <ul>
 * <li>{@code ltree}, the {@code isn} types, {@code tsquery}, {@code tsvector}, the geometric types
 * and {@code bit varying} (with its leading zeros): their text;</li>
 * <li>{@code tstzrange} / {@code tstzmultirange}: their text with the bounds in UTC (the connector's
 * session prints them in the service JVM's time zone);</li>
 * <li>arrays of {@code numeric} (NaN, ±Infinity) and of user types such as enums (elements
 * {@code 'NULL'}, a SQL NULL, commas), which the connector turns into NULL: their element texts;</li>
 * <li>{@code interval[]}, which the connector drops: ISO 8601 durations as for interval values;</li>
 * <li>the multirange types: their text.</li>
 * </ul>
 * timetz and money cannot be helped here: the connector converts them (to UTC, to a double)
 * before a converter sees them.
 */
public class PostgresTextConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** Scalar types sent as their text form. */
    static final Set<String> TEXT_TYPES = Set.of("ltree", "lquery", "ltxtquery", "isbn", "isbn13", "issn", "issn13", "ean13",
            "ismn", "ismn13", "upc", "tsquery", "tsvector", "varbit", "point", "line", "lseg", "box", "path", "polygon",
            "circle", "int4multirange", "int8multirange", "nummultirange", "datemultirange", "tsmultirange");
    static final Set<String> UTC_RANGES = Set.of("tstzrange", "tstzmultirange");
    /** Element types whose arrays the connector converts correctly (anything else is a user type or numeric). */
    private static final Set<String> CONNECTOR_ARRAYS = Set.of("bool", "bytea", "char", "name", "int2", "int4", "int8",
            "oid", "text", "varchar", "bpchar", "json", "jsonb", "xml", "float4", "float8", "money", "macaddr", "macaddr8",
            "inet", "cidr", "date", "time", "timetz", "timestamp", "timestamptz", "bit", "uuid", "citext",
            "int4range", "int8range", "numrange", "daterange", "tsrange", "hstore");

    @Override
    public void configure(Properties properties) {
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName();
        if (TEXT_TYPES.contains(type) || "bit varying".equals(type)) {
            registration.register(SchemaBuilder.string().optional(), value -> scalar(value, false));
        } else if (UTC_RANGES.contains(type)) {
            registration.register(SchemaBuilder.string().optional(), value -> scalar(value, true));
        } else if (type.equals("_interval")) {
            // the connector drops interval[] columns altogether: elements as ISO 8601 durations, like interval values
            registration.register(SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional(), value -> intervals(array(value, ',')));
        } else if (type.startsWith("_") && (type.equals("_numeric") || !CONNECTOR_ARRAYS.contains(type.substring(1)))) {
            char delimiter = type.equals("_box") ? ';' : ',';
            registration.register(SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional(), value -> array(value, delimiter));
        }
    }

    private static Object scalar(Object value, boolean utcRange) {
        if (value == null) {
            return null;
        }
        if (value == UnchangedToastedReplicationMessageColumn.UNCHANGED_TOAST_VALUE) {
            return UnchangedToast.PLACEHOLDER;
        }
        String text = PostgresTextForms.text(value);
        if (!utcRange) {
            return text;
        }
        return text.startsWith("{") ? PostgresTextForms.utcMultirange(text) : PostgresTextForms.utcRange(text);
    }

    private static Object intervals(Object elements) {
        if (!(elements instanceof List<?> items) || UnchangedToast.is(items)) {
            return elements;
        }
        return items.stream().map(i -> i == null ? null : PostgresTextForms.isoInterval(i.toString())).toList();
    }

    private static Object array(Object value, char delimiter) {
        if (value == null) {
            return null;
        }
        if (value == UnchangedToastedReplicationMessageColumn.UNCHANGED_TOAST_VALUE) {
            return List.of(UnchangedToast.PLACEHOLDER);
        }
        if (value instanceof List<?> list) {
            return list; // already elements (a default value)
        }
        List<Object> items = PostgresTextForms.array(PostgresTextForms.text(value), delimiter);
        // The connector carries one-dimensional arrays only; a nested one keeps each inner array as its literal.
        return items.stream().map(i -> i instanceof List<?> ? PostgresTextForms.literal((List<?>) i) : i).toList();
    }
}
