package io.greenlight.schema;

import java.util.List;

/**
 * Which source type changes the target can follow while streaming without losing data: integers
 * and floats to wider ones, longer or unbounded strings, more numeric digits, more fraction
 * digits of time, and enum labels appended. Anything else is incompatible.
 */
public final class TypeWidening {

    private static final List<String> INTEGERS = List.of("int2", "int4", "int8");
    private static final List<String> FLOATS = List.of("float4", "float8");
    private static final List<String> STRINGS = List.of("varchar", "text");

    private TypeWidening() {
    }

    public static boolean isSameType(SourceColumn from, SourceColumn to) {
        return from.formatted().equals(to.formatted()) && from.array() == to.array()
                && from.enumLabels().equals(to.enumLabels());
    }

    public static boolean isWidening(SourceColumn from, SourceColumn to) {
        if (from.array() != to.array()) {
            return false;
        }
        String a = from.typeName();
        String b = to.typeName();
        if (INTEGERS.contains(a) && INTEGERS.contains(b)) {
            return INTEGERS.indexOf(b) >= INTEGERS.indexOf(a);
        }
        if (FLOATS.contains(a) && FLOATS.contains(b)) {
            return FLOATS.indexOf(b) >= FLOATS.indexOf(a);
        }
        if (STRINGS.contains(a) && STRINGS.contains(b)) {
            return to.length() < 0 || from.length() > 0 && to.length() >= from.length();
        }
        if (a.equals("numeric") && b.equals("numeric")) {
            return to.precision() < 0 || from.precision() > 0 && to.scale() >= from.scale()
                    && to.precision() - to.scale() >= from.precision() - from.scale();
        }
        if (a.equals(b) && List.of("time", "timetz", "timestamp", "timestamptz").contains(a)) {
            return to.precision() >= from.precision();
        }
        if (!from.enumLabels().isEmpty() && !to.enumLabels().isEmpty()) {
            return to.enumLabels().size() >= from.enumLabels().size()
                    && to.enumLabels().subList(0, from.enumLabels().size()).equals(from.enumLabels());
        }
        return false;
    }
}
