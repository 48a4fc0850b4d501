package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;

import java.util.stream.Collectors;

/**
 * PostgreSQL column → MySQL/MariaDB column type, with what the mapping cannot carry. Key columns
 * (primary and unique keys) get types InnoDB can index: keys are limited to 3072 bytes, i.e. 768
 * utf8mb4 characters, shared evenly by the columns of a composite key. docs/types.md documents this class; TypeMappingDocTest keeps them equal.
 */
final class MySqlTypeMapper {

    static final int MAX_VARCHAR = 1024;
    static final int MAX_KEY_CHARS = 768;
    static final int MAX_DECIMAL_PRECISION = 65;
    static final int MAX_DECIMAL_SCALE = 30;
    /** Largest money amount a double carries exactly to the cent (15 significant digits). */
    static final String MONEY_EXACT = "9999999999999.99";

    /**
     * Whether a money value came through a double: Debezium 3.5 streams money as exact decimal text and
     * the backfill reads it as a BigDecimal, but the connector's initial snapshot (snapshot-mode=initial)
     * reads it as a double, whose text (Double.toString) has an exponent from 1e7 on. Beyond
     * {@link #MONEY_EXACT} such a value may have lost its cents.
     */
    static boolean moneyThroughDouble(Object value) {
        if (value instanceof java.math.BigDecimal) {
            return false;
        }
        String text = value.toString();
        return value instanceof Double || text.indexOf('E') >= 0 || text.indexOf('e') >= 0;
    }

    /** @param keyWidth column count of the widest key the column is in, 0 for none */
    TypeMapping map(SourceColumn column, int keyWidth) {
        int keyChars = keyWidth == 0 ? 0 : MAX_KEY_CHARS / keyWidth;
        if (column.generated()) {
            return TypeMapping.lossy(base(column, keyChars).sqlType(), "generated column: PostgreSQL before 18 does not "
                    + "publish its values to logical replication; the target column is created nullable and stays NULL");
        }
        if (column.array()) {
            return TypeMapping.exact("JSON", "one-dimensional arrays as JSON arrays (numbers, strings, booleans, null)");
        }
        return base(column, keyChars);
    }

    private TypeMapping base(SourceColumn column, int keyChars) {
        return switch (column.typeName()) {
            case "int2" -> TypeMapping.exact("SMALLINT");
            case "int4" -> TypeMapping.exact("INT");
            case "int8" -> TypeMapping.exact("BIGINT");
            case "oid" -> TypeMapping.exact("INT UNSIGNED");
            case "float4" -> TypeMapping.exact("FLOAT", "NaN and ±Infinity stop apply (accepted: stored as NULL)");
            case "float8" -> TypeMapping.exact("DOUBLE", "NaN and ±Infinity stop apply (accepted: stored as NULL)");
            case "numeric" -> decimal(column);
            case "money" -> TypeMapping.exact("DECIMAL(19,2)", "assumes 2 fraction digits (lc_monetary); exact from the "
                    + "backfill and streaming; the connector's initial snapshot (snapshot-mode=initial) reads money as a double, "
                    + "so values beyond ±" + MONEY_EXACT + " read that way stop apply (accepted: stored as read)");
            case "bool" -> TypeMapping.exact("BOOLEAN");
            case "bpchar" -> character(column, keyChars);
            case "varchar" -> text(column.length(), keyChars);
            case "text", "citext", "name" -> text(-1, keyChars);
            case "bytea" -> keyChars > 0 ? TypeMapping.exact("VARBINARY(" + keyChars * 4 + ")",
                    "key column: values over " + keyChars * 4 + " bytes fail loudly") : TypeMapping.exact("LONGBLOB");
            case "uuid" -> TypeMapping.exact("CHAR(36)", "lower-case canonical text");
            case "json", "jsonb" -> TypeMapping.exact("JSON",
                    "MySQL 8 normalizes whitespace and key order (MariaDB keeps the text as is)");
            case "hstore" -> TypeMapping.exact("JSON", "as a JSON object of strings");
            case "date" -> TypeMapping.exact("DATE", TEMPORAL_RANGE);
            case "time" -> TypeMapping.exact("TIME(" + fraction(column) + ")", "24:00:00 is kept");
            case "timetz" -> TypeMapping.lossy("TIME(" + fraction(column) + ")", "converted to UTC; the offset is not kept: "
                    + "the connector converts timetz to UTC before any converter sees the value, so no exact form reaches Greenlight");
            case "timestamp" -> TypeMapping.exact("DATETIME(" + fraction(column) + ")", TEMPORAL_RANGE);
            case "timestamptz" -> TypeMapping.exact("DATETIME(" + fraction(column) + ")", "UTC; " + TEMPORAL_RANGE);
            case "interval" -> TypeMapping.exact("VARCHAR(64)", "ISO 8601 duration text, e.g. P1Y2M3DT4H5M6.78S");
            case "inet", "cidr" -> TypeMapping.exact("VARCHAR(43)", "PostgreSQL's text form, e.g. 10.1.0.0/16");
            case "macaddr" -> TypeMapping.exact("CHAR(17)");
            case "macaddr8" -> TypeMapping.exact("CHAR(23)");
            case "bit" -> column.length() > 0 && column.length() <= 64
                    ? TypeMapping.exact("BIT(" + column.length() + ")")
                    : TypeMapping.exact("LONGTEXT", "bit strings over 64 bits as text of 0 and 1");
            case "varbit" -> text(column.length(), keyChars).withNote("text of 0 and 1, leading zeros kept");
            case "xml" -> TypeMapping.exact("LONGTEXT", "document text");
            case "tsvector" -> TypeMapping.exact("LONGTEXT", "PostgreSQL's text form; not searchable as a tsvector");
            case "int4range", "int8range", "numrange", "daterange", "tsrange", "tstzrange" ->
                    TypeMapping.exact("VARCHAR(255)", "PostgreSQL's text form, e.g. [1,10); tstzrange bounds in UTC");
            case "ltree", "lquery", "ltxtquery", "isbn", "isbn13", "issn", "issn13", "ean13", "ismn", "ismn13", "upc", "tsquery",
                 "point", "line", "lseg", "box", "path", "polygon", "circle", "int4multirange", "int8multirange",
                 "nummultirange", "datemultirange", "tsmultirange", "tstzmultirange" ->
                    text(-1, keyChars).withNote("PostgreSQL's text form (exact; not searchable as the type)");
            default -> {
                if (!column.enumLabels().isEmpty()) {
                    yield enumeration(column);
                }
                if (column.typeCategory() == 'C') {
                    yield text(-1, keyChars).withNote("a composite type: PostgreSQL's text form of the row value (exact)");
                }
                yield TypeMapping.lossy(text(-1, keyChars).sqlType(), "type " + column.typeName()
                        + " has no mapping: the connector's representation is stored as text (JSON for structured values)");
            }
        };
    }

    static final String TEMPORAL_RANGE = "'infinity' and years outside 1-9999 stop apply "
            + "(accepted: clamped to 0001-01-01 / 9999-12-31 23:59:59.999999)";

    boolean isAutoIncrement(SourceColumn column) {
        boolean integral = switch (column.typeName()) {
            case "int2", "int4", "int8" -> !column.array();
            default -> false;
        };
        return integral && (column.identity()
                || (column.defaultExpression() != null && column.defaultExpression().startsWith("nextval(")));
    }

    /** The DECIMAL(p,s) a numeric column is stored in: precision at most 65, scale at most 30. */
    static int[] decimalTarget(SourceColumn column) {
        if (column.precision() <= 0) {
            return new int[]{MAX_DECIMAL_PRECISION, MAX_DECIMAL_SCALE};
        }
        int scale = Math.min(Math.max(column.scale(), 0), MAX_DECIMAL_SCALE);
        return new int[]{Math.min(column.precision(), MAX_DECIMAL_PRECISION), scale};
    }

    private static TypeMapping decimal(SourceColumn column) {
        int[] target = decimalTarget(column);
        String type = "DECIMAL(" + target[0] + "," + target[1] + ")";
        if (column.precision() <= 0) {
            return TypeMapping.exact(type, "unconstrained: a value with more than 35 integer or 30 fraction digits "
                    + "stops apply (accepted: fraction rounded half-up to 30 digits); NaN and ±Infinity stop apply");
        }
        if (column.scale() > MAX_DECIMAL_SCALE) {
            return TypeMapping.lossy(type, "scale " + column.scale() + " exceeds MySQL's 30: fractions are rounded half-up");
        }
        if (column.precision() > MAX_DECIMAL_PRECISION) {
            return TypeMapping.exact(type, "precision over 65: values with more digits stop apply");
        }
        return TypeMapping.exact(type);
    }

    private static TypeMapping character(SourceColumn column, int keyChars) {
        if (column.length() > 0 && column.length() <= 255 && (keyChars == 0 || column.length() <= keyChars)) {
            return TypeMapping.exact("CHAR(" + column.length() + ")",
                    "trailing pad spaces are not returned, as PostgreSQL ignores them in comparisons");
        }
        return text(column.length(), keyChars);
    }

    /** @param keyChars the characters a key column may index, 0 for a column in no key */
    private static TypeMapping text(int length, int keyChars) {
        if (keyChars > 0) {
            int chars = length > 0 ? Math.min(length, keyChars) : keyChars;
            return length > 0 && length <= keyChars ? TypeMapping.exact("VARCHAR(" + chars + ")")
                    : TypeMapping.exact("VARCHAR(" + chars + ")", "key column: values over " + chars + " characters fail loudly");
        }
        if (length > 0 && length <= MAX_VARCHAR) {
            return TypeMapping.exact("VARCHAR(" + length + ")");
        }
        if (length > 0 && length <= 16383) {
            return TypeMapping.exact("TEXT");
        }
        if (length > 0 && length <= 4194303) {
            return TypeMapping.exact("MEDIUMTEXT");
        }
        return TypeMapping.exact("LONGTEXT");
    }

    private static TypeMapping enumeration(SourceColumn column) {
        return TypeMapping.exact(column.enumLabels().stream()
                .map(l -> "'" + l.replace("\\", "\\\\").replace("'", "''") + "'")
                .collect(Collectors.joining(",", "ENUM(", ")")), "labels and their order as on the source");
    }

    private static int fraction(SourceColumn column) {
        return column.precision() >= 0 && column.precision() <= 6 ? column.precision() : 6;
    }
}
