package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;

/**
 * PostgreSQL column → MySQL/MariaDB column type. Key columns get types MySQL can index
 * (InnoDB keys are limited to 3072 bytes, i.e. 768 utf8mb4 characters).
 */
final class MySqlTypeMapper {

    private static final int MAX_VARCHAR = 16383;
    private static final int MAX_KEY_CHARS = 768;

    String columnType(SourceColumn column, boolean key) {
        if (column.array()) {
            return "JSON";
        }
        return switch (column.typeName()) {
            case "int2" -> "SMALLINT";
            case "int4" -> "INT";
            case "int8" -> "BIGINT";
            case "oid" -> "BIGINT UNSIGNED";
            case "float4" -> "FLOAT";
            case "float8" -> "DOUBLE";
            case "numeric" -> decimal(column);
            case "money" -> "DECIMAL(19,2)";
            case "bool" -> "BOOLEAN";
            case "varchar" -> text(column.length(), key);
            case "bpchar" -> column.length() > 0 && column.length() <= 255 ? "CHAR(" + column.length() + ")" : text(column.length(), key);
            case "text", "name", "citext" -> text(-1, key);
            case "bytea" -> key ? "VARBINARY(3072)" : "LONGBLOB";
            case "uuid" -> "CHAR(36)";
            case "json", "jsonb" -> "JSON";
            case "date" -> "DATE";
            case "time" -> "TIME(" + fraction(column) + ")";
            case "timestamp", "timestamptz" -> "DATETIME(" + fraction(column) + ")";
            default -> text(-1, key);
        };
    }

    boolean isAutoIncrement(SourceColumn column) {
        boolean integral = switch (column.typeName()) {
            case "int2", "int4", "int8" -> true;
            default -> false;
        };
        return integral && (column.identity()
                || (column.defaultExpression() != null && column.defaultExpression().startsWith("nextval(")));
    }

    private static String decimal(SourceColumn column) {
        if (column.precision() <= 0) {
            return "DECIMAL(65,30)";
        }
        return "DECIMAL(" + Math.min(column.precision(), 65) + "," + Math.min(Math.max(column.scale(), 0), 30) + ")";
    }

    private static String text(int length, boolean key) {
        if (key) {
            return "VARCHAR(" + (length > 0 ? Math.min(length, MAX_KEY_CHARS) : MAX_KEY_CHARS) + ")";
        }
        if (length > 0 && length <= MAX_VARCHAR) {
            return "VARCHAR(" + length + ")";
        }
        return "LONGTEXT";
    }

    private static int fraction(SourceColumn column) {
        return column.precision() >= 0 && column.precision() <= 6 ? column.precision() : 6;
    }
}
