package io.greenlight.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every relative link of README.md and docs/ points at a file that exists, and at a heading that exists. */
class DocLinksTest {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern FENCE = Pattern.compile("^\\s*```");

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> files = Files.walk(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            for (String target : links(doc)) {
                if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
                    continue; // http:, https:, mailto:
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash >= 0 ? target.substring(0, hash) : target;
                String anchor = hash >= 0 ? target.substring(hash + 1) : null;
                Path resolved = file.isEmpty() ? doc : doc.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(doc + ": " + target + " (no file " + resolved + ")");
                } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                    broken.add(doc + ": " + target + " (no heading #" + anchor + " in " + resolved.getFileName() + ")");
                }
            }
        }
        assertTrue(checked > 10, "too few links found: " + checked);
        assertEquals(List.of(), broken, "dangling links");
    }

    @Test
    void theAnchorOfAHeadingIsGithubsSlug() {
        assertEquals("changes-the-target-cannot-take-poison-data", slug("Changes the target cannot take (poison data)"));
        assertEquals("postgresql-to-postgresql-bluegreen-upgrade", slug("PostgreSQL to PostgreSQL (blue/green upgrade)"));
        assertEquals("removing-the-slot-after-the-migration-post-sourcecleanup", slug("Removing the slot after the migration: `POST /source/cleanup`"));
    }

    private static List<String> links(Path doc) throws IOException {
        List<String> out = new ArrayList<>();
        boolean code = false;
        for (String line : Files.readAllLines(doc)) {
            if (FENCE.matcher(line).find()) {
                code = !code;
                continue;
            }
            if (code) {
                continue;
            }
            Matcher m = LINK.matcher(line);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static Set<String> anchors(Path doc) throws IOException {
        Set<String> out = new HashSet<>();
        if (!doc.toString().endsWith(".md")) {
            return out;
        }
        boolean code = false;
        for (String line : Files.readAllLines(doc)) {
            if (FENCE.matcher(line).find()) {
                code = !code;
            } else if (!code && line.startsWith("#")) {
                out.add(slug(line.replaceFirst("^#+\\s*", "")));
            }
        }
        return out;
    }

    /** GitHub's heading anchor: lower case, punctuation removed, spaces to hyphens. */
    static String slug(String heading) {
        return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
