package io.greenlight.testing;

import io.greenlight.config.GreenlightConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every key of the {@link GreenlightConfig} tree with its default ({@code @WithDefault}), by reflection. */
public final class ConfigKeys {

    private ConfigKeys() {
    }

    /** key → default; keys without a default map to an empty Optional. */
    public static Map<String, Optional<String>> all() {
        Map<String, Optional<String>> keys = new TreeMap<>();
        collect(GreenlightConfig.class.getAnnotation(ConfigMapping.class).prefix(), GreenlightConfig.class, keys);
        return keys;
    }

    private static void collect(String prefix, Class<?> group, Map<String, Optional<String>> out) {
        for (Method method : group.getMethods()) {
            if (method.getParameterCount() > 0 || method.isDefault() || method.isSynthetic()
                    || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            WithName withName = method.getAnnotation(WithName.class);
            String key = prefix + "." + (withName != null ? withName.value() : kebab(method.getName()));
            Class<?> type = method.getReturnType();
            if (type.isInterface() && group(type)) {
                collect(key, type, out);
            } else {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                out.put(key, Optional.ofNullable(withDefault).map(WithDefault::value));
            }
        }
    }

    /** A group of keys: an interface declared inside the tree, at any depth. */
    private static boolean group(Class<?> type) {
        for (Class<?> outer = type.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass()) {
            if (outer == GreenlightConfig.class) {
                return true;
            }
        }
        return false;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
