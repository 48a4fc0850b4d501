package io.greenlight.schema;

import java.util.List;

/**
 * One column as the source catalog describes it.
 *
 * @param typeName     base type name from pg_type (for arrays: the element type, with {@code array} set)
 * @param formatted    format_type() text, e.g. {@code numeric(12,2)} or {@code character varying(40)}
 * @param typeCategory pg_type.typcategory of the (element) type: N numeric, S string, D datetime, E enum, ...
 * @param length       declared length of char/varchar/bit types, -1 when unconstrained
 * @param precision    declared precision of numeric/time types, -1 when unconstrained
 * @param scale        declared scale of numeric, -1 when unconstrained
 * @param enumLabels   labels of an enum type in sort order, empty for other types
 */
public record SourceColumn(String name, int position, String typeName, String formatted, char typeCategory,
                           boolean array, boolean nullable, int length, int precision, int scale,
                           boolean identity, String defaultExpression, boolean generated, List<String> enumLabels) {

    public SourceColumn {
        enumLabels = enumLabels == null ? List.of() : List.copyOf(enumLabels);
    }

    /** The same column, now nullable (a column dropped on the source stays on the target, nullable). */
    public SourceColumn asNullable() {
        return new SourceColumn(name, position, typeName, formatted, typeCategory, array, true, length, precision, scale,
                identity, defaultExpression, generated, enumLabels);
    }
}
