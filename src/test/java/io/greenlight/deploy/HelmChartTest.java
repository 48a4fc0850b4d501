package io.greenlight.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.greenlight.leader.PodRoleLabel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.greenlight.deploy.DeployFiles.K8S;
import static io.greenlight.deploy.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * charts/greenlight lints, renders with helm (helm-java bundles it), and every rendered object parses
 * strictly into its Kubernetes model, as the kustomize base does; the chart and the base agree.
 */
class HelmChartTest {

    static final Path CHART = ROOT.resolve("charts/greenlight");
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("ServiceAccount", ServiceAccount.class), Map.entry("Role", Role.class),
            Map.entry("RoleBinding", RoleBinding.class), Map.entry("ConfigMap", ConfigMap.class),
            Map.entry("Secret", Secret.class), Map.entry("Deployment", Deployment.class),
            Map.entry("Service", Service.class), Map.entry("NetworkPolicy", NetworkPolicy.class),
            Map.entry("PodDisruptionBudget", PodDisruptionBudget.class), Map.entry("Job", Job.class));

    /** Rendered objects: kind/name → the object (typed for core kinds, the tree for CRDs). */
    record Rendered(Map<String, Object> objects) {
        @SuppressWarnings("unchecked")
        <T> T get(String kind, String name) {
            Object o = objects.get(kind + "/" + name);
            if (o == null) {
                throw new AssertionError("no " + kind + "/" + name + " rendered; rendered: " + objects.keySet());
            }
            return (T) o;
        }

        Set<String> kinds() {
            return objects.keySet().stream().map(k -> k.substring(0, k.indexOf('/'))).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    static Rendered render(Map<String, Object> values) throws IOException {
        TemplateCommand template = new Helm(CHART).template().withName("greenlight").withNamespace("greenlight");
        values.forEach(template::set);
        String out = template.call();
        Map<String, Object> objects = new java.util.TreeMap<>();
        for (JsonNode doc : DeployFiles.YAML.readerFor(JsonNode.class).<JsonNode>readValues(out).readAll()) {
            if (doc == null || doc.isNull() || doc.isEmpty()) {
                continue;
            }
            String kind = doc.path("kind").asText();
            String key = kind + "/" + doc.path("metadata").path("name").asText();
            if (DeployFiles.CRD_KINDS.contains(kind)) {
                objects.put(key, doc);
                continue;
            }
            Class<? extends HasMetadata> type = KINDS.get(kind);
            if (type == null) {
                throw new AssertionError("the chart renders kind " + kind + ", which this test does not check");
            }
            objects.put(key, DeployFiles.STRICT_YAML.treeToValue(doc, type));
        }
        return new Rendered(objects);
    }

    @Test
    void theChartLintsCleanInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @Test
    void defaultsRenderTheSameObjectsAsTheKustomizeBaseWithoutASecret() throws IOException {
        Rendered chart = render(Map.of());
        assertEquals(Set.of("ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Role",
                "RoleBinding", "Service", "ServiceAccount", "ServiceMonitor"), chart.kinds());
        Deployment deployment = chart.get("Deployment", "greenlight");
        Deployment baseDeployment = DeployFiles.typed(K8S.resolve("deployment.yaml"), Deployment.class);
        assertEquals(baseDeployment.getSpec().getReplicas(), deployment.getSpec().getReplicas());
        assertEquals(baseDeployment.getSpec().getStrategy(), deployment.getSpec().getStrategy());
        Role leaderRole = chart.get("Role", "greenlight-leader");
        assertEquals(DeployFiles.typed(K8S.resolve("role-leader.yaml"), Role.class).getRules(), leaderRole.getRules());
        assertEquals("greenlight-leader", ((RoleBinding) chart.get("RoleBinding", "greenlight-leader")).getRoleRef().getName());
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertTrue(DeployFiles.isQualifiedImage(container.getImage()), container.getImage());
        assertEquals("docker.io/greenlight/greenlight:0.1.0-SNAPSHOT", container.getImage());
        assertEquals("greenlight-credentials", container.getEnvFrom().get(1).getSecretRef().getName());

        Deployment base = DeployFiles.typed(K8S.resolve("deployment.yaml"), Deployment.class);
        Container baseContainer = base.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(baseContainer.getResources(), container.getResources());
        assertEquals(baseContainer.getLivenessProbe(), container.getLivenessProbe());
        assertEquals(baseContainer.getReadinessProbe(), container.getReadinessProbe());
        assertEquals(baseContainer.getSecurityContext(), container.getSecurityContext());
        assertEquals(baseContainer.getEnv(), container.getEnv());

        Map<String, String> config = ((ConfigMap) chart.get("ConfigMap", "greenlight-config")).getData();
        Set<String> known = DeployFiles.configEnvNames();
        assertEquals(Set.of(), ManifestsTest.difference(config.keySet(), known), "ConfigMap keys that are no greenlight.* key");
        assertEquals(Set.of("GREENLIGHT_DATA_DIR=/var/lib/greenlight (default greenlight-data)",
                "GREENLIGHT_KAFKA_REPLICATION_FACTOR=3 (default 1)", "GREENLIGHT_LEADER_ELECTION=kubernetes (default auto)"),
                DeployFiles.differFromDefaults(config));
        assertEquals(Files.readString(K8S.resolve("debezium-postgres.properties")).strip(),
                ((ConfigMap) chart.get("ConfigMap", "greenlight-connector")).getData().get("debezium-postgres.properties").strip());

        Service admin = chart.get("Service", "greenlight-admin");
        assertTrue(admin.getSpec().getPublishNotReadyAddresses());
        Map<String, String> leader = new java.util.HashMap<>(deployment.getSpec().getTemplate().getMetadata().getLabels());
        leader.put(PodRoleLabel.KEY, PodRoleLabel.LEADER);
        assertEquals(leader, admin.getSpec().getSelector(), "operators reach the leader");
        assertEquals(leader, ((Service) chart.get("Service", "greenlight")).getSpec().getSelector(), "clients reach the leader");
        Service pods = chart.get("Service", "greenlight-pods");
        assertEquals(deployment.getSpec().getTemplate().getMetadata().getLabels(), pods.getSpec().getSelector());
        assertEquals("None", pods.getSpec().getClusterIP());
        JsonNode monitor = chart.get("ServiceMonitor", "greenlight");
        JsonNode baseMonitor = DeployFiles.yaml(K8S.resolve("servicemonitor.yaml"));
        assertEquals(baseMonitor.path("spec").path("jobLabel"), monitor.path("spec").path("jobLabel"));
        for (String name : List.of("greenlight", "greenlight-admin", "greenlight-pods")) {
            Map<String, String> labels = ((Service) chart.get("Service", name)).getMetadata().getLabels();
            boolean[] selected = {true};
            monitor.path("spec").path("selector").path("matchLabels").fields()
                    .forEachRemaining(e -> selected[0] &= e.getValue().asText().equals(labels.get(e.getKey())));
            assertEquals(name.equals("greenlight-pods"), selected[0], "the ServiceMonitor scrapes every pod once, through greenlight-pods: " + name);
        }

        NetworkPolicy policy = chart.get("NetworkPolicy", "greenlight");
        NetworkPolicy basePolicy = DeployFiles.typed(K8S.resolve("networkpolicy.yaml"), NetworkPolicy.class);
        assertEquals(ports(basePolicy), ports(policy), "the chart's default egress is the base's");
        Role role = chart.get("Role", "greenlight-cutover");
        assertEquals(List.of("app-database"), role.getRules().get(0).getResourceNames());
    }

    @Test
    void theAlertRulesAndTheDashboardAreTheOnesOfTheBase() throws IOException {
        Rendered chart = render(Map.of("dashboard.enabled", true));
        JsonNode rule = chart.get("PrometheusRule", "greenlight");
        assertEquals(DeployFiles.yaml(K8S.resolve("prometheusrule.yaml")).path("spec"), rule.path("spec"));
        ConfigMap dashboard = chart.get("ConfigMap", "greenlight-dashboard");
        assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
        assertEquals(DeployFiles.YAML.readTree(DeployFiles.DASHBOARD.toFile()),
                DeployFiles.YAML.readTree(dashboard.getData().get("greenlight.json")));
    }

    @Test
    void anotherReleaseNameSlotAndRunbookAreCarriedIntoTheAlerts() throws IOException {
        TemplateCommand template = new Helm(CHART).template().withName("shop").withNamespace("migrations")
                .set("source.slot", "shop_slot").set("prometheusRule.runbookUrl", "https://wiki.example/greenlight");
        JsonNode rule = null;
        for (JsonNode doc : DeployFiles.YAML.readerFor(JsonNode.class).<JsonNode>readValues(template.call()).readAll()) {
            if (doc != null && "PrometheusRule".equals(doc.path("kind").asText())) {
                rule = doc;
            }
        }
        String rules = String.valueOf(rule);
        assertTrue(rules.contains("up{job=\\\"shop-greenlight\\\"}"), rules);
        List<String> jobs = new ArrayList<>();
        for (JsonNode doc : DeployFiles.YAML.readerFor(JsonNode.class).<JsonNode>readValues(template.call()).readAll()) {
            if (doc != null && "shop-greenlight-pods".equals(doc.path("metadata").path("name").asText())) {
                jobs.add(doc.path("metadata").path("labels").path("greenlight.io/job").asText());
            }
        }
        assertEquals(List.of("shop-greenlight"), jobs, "Prometheus names the job after this label (jobLabel): the rules' job");
        assertTrue(rules.contains("slot_name=\\\"shop_slot\\\""), rules);
        assertTrue(rules.contains("https://wiki.example/greenlight#greenlightdown"), rules);
        assertFalse(rules.contains("slot_name=\\\"greenlight\\\"") || rules.contains("github.com"), rules);
    }

    @Test
    void monitoringAndNetworkPolicyCanBeSwitchedOff() throws IOException {
        Rendered chart = render(Map.of("serviceMonitor.enabled", false, "prometheusRule.enabled", false,
                "dashboard.enabled", false, "networkPolicy.enabled", false, "podDisruptionBudget.enabled", false));
        assertEquals(Set.of("ConfigMap", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"), chart.kinds());
    }

    @Test
    void withoutAnExistingSecretTheChartCreatesOneAndRefusesAShortToken() throws IOException {
        Map<String, Object> values = Map.of("existingSecret", "", "credentials.sourceUsername", "replicator",
                "credentials.targetUsername", "writer", "credentials.apiToken", "0123456789abcdef0123456789abcdef01");
        Rendered chart = render(values);
        Secret secret = chart.get("Secret", "greenlight-credentials");
        assertEquals(Set.of("GREENLIGHT_SOURCE_USERNAME", "GREENLIGHT_SOURCE_PASSWORD", "GREENLIGHT_TARGET_USERNAME",
                "GREENLIGHT_TARGET_PASSWORD", "GREENLIGHT_API_TOKEN"), secret.getStringData().keySet());
        Map<String, Object> shortToken = new java.util.HashMap<>(values);
        shortToken.put("credentials.apiToken", "change-me");
        Exception refused = assertThrows(Exception.class, () -> render(shortToken));
        assertTrue(refused.getMessage().contains("credentials.apiToken needs at least 32 characters: openssl rand -hex 32"),
                refused.getMessage());
    }

    @Test
    void severalReplicasNeedAnExternalKafkaAndSpreadOverNodes() throws IOException {
        Exception refused = assertThrows(Exception.class, () -> render(Map.of("replicaCount", 2, "kafka.bootstrapServers", "")));
        assertTrue(refused.getMessage().contains("replicaCount > 1 needs an external Kafka"), refused.getMessage());
        Deployment deployment = render(Map.of("replicaCount", 2)).get("Deployment", "greenlight");
        assertEquals(2, deployment.getSpec().getReplicas());
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
        assertEquals(0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(),
                "the standby of the new version is up before an old pod stops");
        Deployment single = render(Map.of("replicaCount", 1, "kafka.bootstrapServers", "")).get("Deployment", "greenlight");
        assertEquals("Recreate", single.getSpec().getStrategy().getType(), "the embedded broker: one pod, never two");
        assertTrue(deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity() != null);
    }

    @Test
    void egressIsConfigurablePerPortAndNamespace() throws IOException {
        NetworkPolicy policy = render(Map.of("networkPolicy.egress[0].ports[0].port", 6432,
                "networkPolicy.egress[0].to[0].namespaceSelector.matchLabels.team", "databases"))
                .get("NetworkPolicy", "greenlight");
        assertEquals(6432, policy.getSpec().getEgress().get(0).getPorts().get(0).getPort().getIntVal());
        assertEquals("databases", policy.getSpec().getEgress().get(0).getTo().get(0).getNamespaceSelector().getMatchLabels().get("team"));
    }

    @Test
    void theCutoverIsAHookJobOnlyWhenEnabledAndReachesTheApiWhileNotReady() throws IOException {
        assertFalse(render(Map.of()).kinds().contains("Job"), "no cutover unless asked for");
        // helm template leaves Helm hooks out of the manifest it returns: the Helm-hook Job is absent here,
        // the Argo CD PostSync variant of the same Job renders as a plain object.
        assertFalse(render(Map.of("cutover.enabled", true)).kinds().contains("Job"), "a Helm hook, not a plain Job");
        Rendered chart = render(Map.of("cutover.enabled", true, "cutover.hookStyle", "argocd"));
        Job job = chart.get("Job", "greenlight-cutover");
        assertEquals("PostSync", job.getMetadata().getAnnotations().get("argocd.argoproj.io/hook"));
        assertEquals(0, job.getSpec().getBackoffLimit());
        Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        Deployment deployment = chart.get("Deployment", "greenlight");
        assertEquals(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), container.getImage(),
                "the CLI runs from Greenlight's own image");
        assertEquals("http://greenlight-admin:8080", container.getEnv().get(0).getValue());
        String script = String.join("\n", container.getArgs());
        assertTrue(script.startsWith("set -e") && script.indexOf("greenlight verify") < script.indexOf("greenlight cutover --options"),
                "verify, and only if it passed, the cutover: " + script);
        NetworkPolicy policy = chart.get("NetworkPolicy", "greenlight");
        Map<String, String> jobLabels = job.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(policy.getSpec().getIngress().get(0).getFrom().stream().anyMatch(peer -> peer.getPodSelector() != null
                && jobLabels.entrySet().containsAll(peer.getPodSelector().getMatchLabels().entrySet())));
    }

    @Test
    void theArgoCdApplicationPointsAtThisChartWithItsValues() throws IOException {
        JsonNode app = DeployFiles.yaml(ROOT.resolve("deploy/argocd/greenlight-application.yaml"));
        assertEquals("argoproj.io/v1alpha1", app.path("apiVersion").asText());
        assertEquals("charts/greenlight", app.path("spec").path("source").path("path").asText());
        JsonNode values = app.path("spec").path("source").path("helm").path("valuesObject");
        JsonNode defaults = DeployFiles.yaml(CHART.resolve("values.yaml"));
        List<String> unknown = new ArrayList<>();
        values.fieldNames().forEachRemaining(k -> {
            if (!defaults.has(k)) {
                unknown.add(k);
            }
        });
        assertEquals(List.of(), unknown, "values the chart does not have");
        assertFalse(values.path("cutover").path("enabled").asBoolean(), "the example must not cut over on its first sync");
    }

    private static Set<Integer> ports(NetworkPolicy policy) {
        return policy.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream()).map(p -> p.getPort().getIntVal())
                .collect(Collectors.toSet());
    }

    @Test
    void theChartRendersNoUnsetValue() throws IOException {
        Rendered chart = render(Map.of("cutover.enabled", true, "cutover.hookStyle", "argocd"));
        assertNull(chart.objects().keySet().stream().filter(k -> k.contains("<no value>")).findFirst().orElse(null));
        assertFalse(DeployFiles.YAML.writeValueAsString(chart.objects().values().stream()
                .map(o -> DeployFiles.YAML.valueToTree(o)).toList()).contains("<no value>"));
    }
}
