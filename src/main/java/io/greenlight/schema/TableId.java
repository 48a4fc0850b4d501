package io.greenlight.schema;

/** A source table's schema-qualified name, as PostgreSQL spells it (unquoted). */
public record TableId(String schema, String table) implements Comparable<TableId> {

    /** Parses {@code schema.table}; the table part may itself contain dots. */
    public static TableId parse(String qualified) {
        int dot = qualified.indexOf('.');
        if (dot <= 0 || dot == qualified.length() - 1) {
            throw new IllegalArgumentException("'" + qualified + "' is not a schema.table name");
        }
        return new TableId(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    @Override
    public int compareTo(TableId other) {
        return toString().compareTo(other.toString());
    }

    /** {@code "schema"."table"}, quoted for PostgreSQL so that any name resolves exactly. */
    public String quoted() {
        return quoteIdentifier(schema) + "." + quoteIdentifier(table);
    }

    /** One PostgreSQL identifier in double quotes, embedded quotes doubled. */
    public static String quoteIdentifier(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
