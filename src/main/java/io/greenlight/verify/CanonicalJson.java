package io.greenlight.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One text per JSON value: object keys sorted, numbers as plain decimals without trailing
 * zeros, no whitespace. Two documents are equal as parsed values exactly when these texts are.
 */
final class CanonicalJson {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private CanonicalJson() {
    }

    static String of(String json) {
        try {
            return of(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            // Not JSON (should not happen on either side): compare the text as it is.
            return "invalid-json:" + json;
        }
    }

    /** A PostgreSQL array (JDBC elements, possibly nested) as the JSON array the target stores. */
    static String ofArray(Object[] elements) {
        return of(array(elements));
    }

    private static ArrayNode array(Object[] elements) {
        ArrayNode node = NODES.arrayNode();
        for (Object e : elements) {
            if (e == null) {
                node.addNull();
            } else if (e instanceof Object[] nested) {
                node.add(array(nested));
            } else if (e instanceof Boolean b) {
                node.add(b);
            } else if (e instanceof Number n) {
                node.add(new BigDecimal(n.toString()));
            } else {
                node.add(e.toString());
            }
        }
        return node;
    }

    static String of(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(quoted(names.get(i))).append(':');
                write(node.get(names.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            Iterator<JsonNode> it = node.elements();
            for (int i = 0; it.hasNext(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(it.next(), out);
            }
            out.append(']');
        } else if (node.isNumber()) {
            out.append(Canonical.decimal(node.decimalValue()).toPlainString());
        } else if (node.isTextual()) {
            out.append(quoted(node.textValue()));
        } else {
            out.append(node.toString());
        }
    }

    private static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
