package io.greenlight.backfill;

import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;

/**
 * A PreparedStatement that only records what the dialect's binder sets (setObject / setNull), so
 * the bulk-load path writes exactly the values a bound statement would receive.
 */
final class BoundValues {

    private final Object[] values;
    private final PreparedStatement statement;

    BoundValues(int columns) {
        this.values = new Object[columns];
        this.statement = (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[]{PreparedStatement.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "setObject", "setString", "setBytes", "setBigDecimal", "setLong", "setInt", "setBoolean",
                             "setDouble", "setFloat", "setShort" -> values[(Integer) args[0] - 1] = args[1];
                        case "setNull" -> values[(Integer) args[0] - 1] = null;
                        case "toString" -> {
                            return "BoundValues";
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        default -> throw new UnsupportedOperationException("The backfill's bulk load does not record "
                                + method.getName());
                    }
                    return null;
                });
    }

    PreparedStatement statement() {
        return statement;
    }

    Object[] values() {
        return values;
    }
}
