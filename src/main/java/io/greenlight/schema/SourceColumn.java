package io.greenlight.schema;

/**
 * One column as the source catalog describes it.
 *
 * @param typeName     base type name from pg_type (for arrays: the element type, with {@code array} set)
 * @param formatted    format_type() text, e.g. {@code numeric(12,2)} or {@code character varying(40)}
 * @param typeCategory pg_type.typcategory of the (element) type: N numeric, S string, D datetime, E enum, ...
 * @param length       declared length of char/varchar/bit types, -1 when unconstrained
 * @param precision    declared precision of numeric/time types, -1 when unconstrained
 * @param scale        declared scale of numeric, -1 when unconstrained
 */
public record SourceColumn(String name, int position, String typeName, String formatted, char typeCategory,
                           boolean array, boolean nullable, int length, int precision, int scale,
                           boolean identity, String defaultExpression, boolean generated) {
}
