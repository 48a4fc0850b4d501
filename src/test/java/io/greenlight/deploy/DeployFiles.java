package io.greenlight.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.greenlight.config.ConfigValidator;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.testing.ConfigKeys;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's deploy files (k8s/, docker-compose.yml, connectors/) as the tests read them. */
final class DeployFiles {

    static final Path ROOT = Path.of(System.getProperty("user.dir"));
    static final Path K8S = ROOT.resolve("k8s");
    static final Path DASHBOARD = K8S.resolve("dashboards/greenlight.json");

    /** Series alert rules read that Greenlight does not export: Prometheus' own up, postgres_exporter's slot metrics. */
    static final Set<String> EXTERNAL_METRICS = Set.of("up", "pg_replication_slots_active", "pg_replication_slots_pg_wal_lsn_diff");

    /** Prometheus Operator resources: CRDs, not in the fabric8 core model. */
    static final Set<String> CRD_KINDS = Set.of("ServiceMonitor", "PrometheusRule");

    /** Plain YAML/JSON trees. */
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * For typed Kubernetes objects. fabric8 model classes keep unknown fields in an
     * {@code @JsonAnySetter} map; turning any-setters off makes a misspelt field an error.
     */
    static final ObjectMapper STRICT_YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE;
                }
            });

    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![a-zA-Z0-9_:.])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");

    private DeployFiles() {
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    static <T> T typed(Path file, Class<T> type) throws IOException {
        return STRICT_YAML.readValue(file.toFile(), type);
    }

    static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    /** GREENLIGHT_* env var of every key of the {@link GreenlightConfig} mapping, by reflection. */
    static Set<String> configEnvNames() {
        Set<String> names = new TreeSet<>();
        ConfigKeys.all().keySet().forEach(key -> names.add(ConfigValidator.envName(key)));
        return names;
    }

    /**
     * GREENLIGHT_* settings of a deploy file whose value differs from the code's default (keys without a
     * default, such as URLs, are not listed): each must be a deliberate choice the caller names.
     */
    static Set<String> differFromDefaults(java.util.Map<String, String> env) {
        Set<String> differing = new TreeSet<>();
        ConfigKeys.all().forEach((key, def) -> {
            String value = env.get(ConfigValidator.envName(key));
            if (value != null && def.isPresent() && !value.equalsIgnoreCase(def.get())) {
                differing.add(ConfigValidator.envName(key) + "=" + value + " (default " + def.get() + ")");
            }
        });
        return differing;
    }

    /** registry-host/path:tag (tag not latest) or @sha256 digest: no implicit registry, no floating tag. */
    static boolean isQualifiedImage(String image) {
        int slash = image.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String host = image.substring(0, slash);
        boolean registry = host.contains(".") || host.contains(":") || host.equals("localhost");
        boolean pinned = image.contains("@sha256:") || image.matches(".*:[A-Za-z0-9_][A-Za-z0-9_.-]*$") && !image.endsWith(":latest");
        return registry && pinned;
    }

    /** The metric names a PromQL expression selects (function names, labels and keywords removed). */
    static Set<String> metricNames(String promql) {
        String stripped = QUOTED.matcher(promql).replaceAll(" ");
        stripped = LABEL_MATCHERS.matcher(stripped).replaceAll(" ");
        stripped = GROUPING.matcher(stripped).replaceAll(" ");
        stripped = RANGE.matcher(stripped).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(stripped);
        while (m.find()) {
            String token = m.group();
            if (!KEYWORDS.contains(token.toLowerCase())) {
                names.add(token);
            }
        }
        return names;
    }

    /** Every PromQL expression of the dashboard's panels. */
    static List<String> dashboardQueries() {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : yaml(DASHBOARD).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        return queries;
    }

    /** Every alert expression of k8s/prometheusrule.yaml. */
    static List<String> alertQueries() {
        List<String> queries = new ArrayList<>();
        for (JsonNode group : yaml(K8S.resolve("prometheusrule.yaml")).path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                queries.add(rule.path("expr").asText());
            }
        }
        return queries;
    }
}
