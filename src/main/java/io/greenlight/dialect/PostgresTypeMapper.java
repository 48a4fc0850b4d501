package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;

import java.util.Set;

/**
 * PostgreSQL column → PostgreSQL column: the source's own type text (format_type: length,
 * precision, arrays, enum names), so nothing is narrowed. A domain arrives as its base type (the
 * catalog resolves it; its CHECK is not copied). Only what the connector itself cannot carry is lossy.
 */
final class PostgresTypeMapper {

    /** Types the connector delivers exactly (text, numbers, exact decimal strings, micro times, ISO intervals ...). */
    private static final Set<String> CARRIED = Set.of("int2", "int4", "int8", "oid", "float4", "float8", "numeric", "money",
            "bool", "bpchar", "varchar", "text", "citext", "name", "bytea", "uuid", "json", "jsonb", "hstore", "date",
            "time", "timestamp", "timestamptz", "interval", "inet", "cidr", "macaddr", "macaddr8", "bit", "xml",
            "tsvector", "tsquery", "int4range", "int8range", "numrange", "daterange", "tsrange", "tstzrange", "point", "ltree",
            "varbit", "line", "lseg", "box", "path", "polygon", "circle", "int4multirange", "int8multirange", "nummultirange",
            "datemultirange", "tsmultirange", "tstzmultirange");

    TypeMapping map(SourceColumn column) {
        String type = column.formatted();
        if (column.generated()) {
            return TypeMapping.lossy(type, "generated column: PostgreSQL before 18 does not publish its values to "
                    + "logical replication; the target column is created nullable (not generated) and stays NULL");
        }
        return switch (column.typeName()) {
            case "timetz" -> TypeMapping.lossy(type, "the connector converts it to UTC before any converter sees it: the "
                    + "time arrives as the same instant with offset +00, the original offset is not kept");
            case "money" -> TypeMapping.exact(type, "exact from the backfill and streaming; the connector's initial snapshot "
                    + "reads money as a double: values beyond ±" + MySqlTypeMapper.MONEY_EXACT + " read that way stop apply "
                    + "(accepted: stored as read)");
            case "hstore", "citext", "ltree" -> TypeMapping.exact(type, "needs the " + column.typeName()
                    + " extension on the target before start");
            default -> {
                if (CARRIED.contains(column.typeName()) || !column.enumLabels().isEmpty()) {
                    yield TypeMapping.exact(type, column.enumLabels().isEmpty() ? ""
                            : "enum type created on the target with the source's labels in order");
                }
                yield TypeMapping.exact(type, "written as the connector's text form of the value; the type (and its "
                        + "extension) must exist on the target");
            }
        };
    }

    /** serial/bigserial/smallserial for a nextval() default: the target owns a sequence of its own. */
    static String serialType(SourceColumn column) {
        if (column.array() || column.identity() || column.defaultExpression() == null
                || !column.defaultExpression().startsWith("nextval(")) {
            return null;
        }
        return switch (column.typeName()) {
            case "int2" -> "smallserial";
            case "int4" -> "serial";
            case "int8" -> "bigserial";
            default -> null;
        };
    }
}
