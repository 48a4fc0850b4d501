package io.greenlight.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.greenlight.deploy.DeployFiles.K8S;
import static io.greenlight.deploy.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker-compose.yml (Docker is not needed: it is parsed, not run) agrees with k8s/ and the app. */
class ComposeTest {

    private final JsonNode compose = DeployFiles.yaml(ROOT.resolve("docker-compose.yml"));
    private final JsonNode services = compose.path("services");

    @Test
    void theStackHasEveryService() {
        Set<String> names = new TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertEquals(new TreeSet<>(Set.of("postgres", "kafka", "mysql", "greenlight", "prometheus", "grafana")), names);
        assertTrue(texts(services.path("postgres").path("command")).contains("wal_level=logical"));
        assertEquals("broker,controller", services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText());
        assertTrue(services.path("mysql").path("image").asText().startsWith("mysql:8"));
    }

    @Test
    void greenlightGetsTheSameEnvVarNamesAsKubernetes() throws IOException {
        Map<String, String> env = environment("greenlight");
        Set<String> greenlight = new TreeSet<>();
        env.keySet().stream().filter(n -> n.startsWith("GREENLIGHT_")).forEach(greenlight::add);
        Set<String> k8s = new TreeSet<>(DeployFiles.typed(K8S.resolve("configmap.yaml"), ConfigMap.class).getData().keySet());
        k8s.addAll(DeployFiles.typed(ManifestsTest.EXAMPLE_SECRET, Secret.class).getStringData().keySet());
        assertEquals(k8s, greenlight, "GREENLIGHT_* variables of docker-compose.yml vs k8s ConfigMap + Secret");
        assertEquals(Set.of(), ManifestsTest.difference(greenlight, DeployFiles.configEnvNames()));
        assertTrue(env.get("GREENLIGHT_SOURCE_URL").startsWith("jdbc:postgresql://postgres:5432/"));
        assertTrue(env.get("GREENLIGHT_TARGET_URL").startsWith("jdbc:mysql://mysql:3306/"));
        assertEquals("kafka:9092", env.get("GREENLIGHT_KAFKA_BOOTSTRAP_SERVERS"));
        assertTrue(mounts("greenlight").containsKey(env.get("GREENLIGHT_CAPTURE_CONNECTOR_CONFIG")));
        assertEquals("./connectors/debezium-postgres.properties", mounts("greenlight").get(env.get("GREENLIGHT_CAPTURE_CONNECTOR_CONFIG")));
        assertTrue(texts(services.path("greenlight").path("tmpfs")).contains(env.get("GREENLIGHT_DATA_DIR")));
    }

    @Test
    void greenlightKeepsTheDocumentedDefaultsExceptItsDataDir() {
        assertEquals(java.util.Set.of("GREENLIGHT_DATA_DIR=/var/lib/greenlight (default greenlight-data)"),
                DeployFiles.differFromDefaults(environment("greenlight")));
    }

    @Test
    void portsScrapeAndDashboardMatchTheApplication() throws IOException {
        Properties app = DeployFiles.applicationProperties();
        String port = app.getProperty("quarkus.http.port");
        assertEquals(List.of(port + ":" + port), texts(services.path("greenlight").path("ports")));
        assertTrue(Files.isRegularFile(ROOT.resolve(services.path("greenlight").path("build").path("dockerfile").asText())));

        JsonNode prometheus = DeployFiles.yaml(ROOT.resolve(hostPath("prometheus", "/etc/prometheus/prometheus.yml")));
        JsonNode job = prometheus.path("scrape_configs").get(0);
        assertEquals(app.getProperty("quarkus.micrometer.export.prometheus.path"), job.path("metrics_path").asText());
        assertEquals(List.of("greenlight:" + port), texts(job.path("static_configs").get(0).path("targets")));

        assertEquals(ROOT.resolve(hostPath("grafana", "/var/lib/grafana/dashboards/greenlight.json")).normalize(), DeployFiles.DASHBOARD);
        JsonNode provider = DeployFiles.yaml(ROOT.resolve(hostPath("grafana", "/etc/grafana/provisioning"))
                .resolve("dashboards/greenlight.yml")).path("providers").get(0);
        assertEquals("/var/lib/grafana/dashboards", provider.path("options").path("path").asText());
    }

    @Test
    void everyBindMountedFileExists() {
        services.fields().forEachRemaining(service -> mounts(service.getKey()).values().forEach(host ->
                assertTrue(Files.exists(ROOT.resolve(host)), service.getKey() + " mounts missing " + host)));
    }

    private Map<String, String> environment(String service) {
        Map<String, String> env = new TreeMap<>();
        services.path(service).path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    /** Container path -> host path of the service's ./ bind mounts. */
    private Map<String, String> mounts(String service) {
        Map<String, String> mounts = new TreeMap<>();
        for (String volume : texts(services.path(service).path("volumes"))) {
            String[] parts = volume.split(":");
            if (parts[0].startsWith("./")) {
                mounts.put(parts[1], parts[0]);
            }
        }
        return mounts;
    }

    private String hostPath(String service, String containerPath) {
        String host = mounts(service).get(containerPath);
        assertTrue(host != null, service + " mounts nothing at " + containerPath);
        return host;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
