package io.greenlight.config;

import io.greenlight.testing.ConfigKeys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/configuration.md's reference table cannot drift from the {@link GreenlightConfig} tree: every key
 * of the tree has a row, every row is a key of the tree, and each documented default is the code's.
 */
class ConfigReferenceDocTest {

    static final Path DOC = Path.of("docs/configuration.md");
    private static final Pattern ROW = Pattern.compile("^\\| `(greenlight\\.[a-z0-9.-]+)` \\| (.*?) \\| (.*)\\|\\s*$");
    private static final Pattern SINGLE_LITERAL = Pattern.compile("^`[^`]+`$");

    /** Documented key → its default cell. */
    static Map<String, String> documented() throws Exception {
        Map<String, String> rows = new TreeMap<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), m.group(2).trim());
            }
        }
        return rows;
    }

    @Test
    void everyKeyOfTheConfigTreeIsDocumentedAndNothingElse() throws Exception {
        Map<String, String> doc = documented();
        Map<String, Optional<String>> code = ConfigKeys.all();
        List<String> undocumented = code.keySet().stream().filter(k -> !doc.containsKey(k)).toList();
        List<String> unknown = doc.keySet().stream().filter(k -> !code.containsKey(k)).toList();
        assertEquals(List.of(), undocumented, "keys of GreenlightConfig without a row in " + DOC);
        assertEquals(List.of(), unknown, "rows of " + DOC + " that are no key of GreenlightConfig");
    }

    @Test
    void everyDocumentedDefaultIsTheCodesDefault() throws Exception {
        Map<String, String> doc = documented();
        List<String> wrong = new ArrayList<>();
        ConfigKeys.all().forEach((key, def) -> {
            String cell = doc.get(key);
            if (cell == null) {
                return;
            }
            if (def.isPresent() && !cell.contains("`" + def.get() + "`")) {
                wrong.add(key + ": documented " + cell + ", code default `" + def.get() + "`");
            }
            if (def.isEmpty() && SINGLE_LITERAL.matcher(cell).matches()) {
                wrong.add(key + ": documented default " + cell + ", but the code has none");
            }
        });
        assertEquals(List.of(), wrong, DOC + " and GreenlightConfig disagree on defaults");
    }
}
