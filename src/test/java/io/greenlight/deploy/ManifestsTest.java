package io.greenlight.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.greenlight.leader.PodRoleLabel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.greenlight.deploy.DeployFiles.K8S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** k8s/ parses into typed Kubernetes objects and agrees with the application's real config. */
class ManifestsTest {

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("Namespace", Namespace.class), Map.entry("ServiceAccount", ServiceAccount.class),
            Map.entry("Role", Role.class), Map.entry("RoleBinding", RoleBinding.class),
            Map.entry("ConfigMap", ConfigMap.class), Map.entry("Secret", Secret.class),
            Map.entry("Deployment", Deployment.class), Map.entry("Service", Service.class),
            Map.entry("NetworkPolicy", NetworkPolicy.class), Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("Job", Job.class));

    /** Env vars that are not greenlight.* keys but are read by the JVM or its entrypoint. */
    private static final Set<String> JVM_ENV = Set.of("JAVA_TOOL_OPTIONS", "JAVA_MAX_MEM_RATIO");

    /** Not in the base: the Secret is created by the operator; this example names its keys. */
    static final Path EXAMPLE_SECRET = K8S.resolve("examples/secret.example.yaml");
    /** Not in the base either: a one-off Job an operator creates to verify and cut over. */
    static final Path CUTOVER_JOB = K8S.resolve("examples/cutover-job.yaml");

    private static JsonNode kustomization;
    private static final Map<String, HasMetadata> byKind = new HashMap<>();

    @BeforeAll
    static void parseEveryManifest() throws IOException {
        kustomization = DeployFiles.yaml(K8S.resolve("kustomization.yaml"));
        for (String file : resources()) {
            String kind = DeployFiles.yaml(K8S.resolve(file)).path("kind").asText();
            if (DeployFiles.CRD_KINDS.contains(kind)) {
                continue;
            }
            Class<? extends HasMetadata> type = KINDS.get(kind);
            assertNotNull(type, file + " has kind '" + kind + "', which this test does not know how to check");
            HasMetadata parsed = DeployFiles.typed(K8S.resolve(file), type);
            assertNotNull(parsed.getMetadata().getName(), file + " has no metadata.name");
            // The first object of a kind is kind("Service"); further ones are kind("Service/<name>").
            String key = byKind.containsKey(kind) ? kind + "/" + parsed.getMetadata().getName() : kind;
            assertFalse(byKind.containsKey(key), "two manifests " + key + "; extend this test");
            byKind.put(key, parsed);
        }
        byKind.put("Secret", DeployFiles.typed(EXAMPLE_SECRET, Secret.class));
        byKind.put("Job", DeployFiles.typed(CUTOVER_JOB, Job.class));
    }

    @Test
    void kustomizationListsEveryManifestAndEveryGeneratedFileExists() throws IOException {
        Set<String> manifests;
        try (Stream<Path> files = Files.list(K8S)) {
            manifests = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
                    .filter(n -> !n.equals("kustomization.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(manifests, new TreeSet<>(resources()), "k8s/kustomization.yaml resources vs the manifests in k8s/");
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            for (JsonNode file : generator.path("files")) {
                assertTrue(Files.isRegularFile(K8S.resolve(file.asText())), "configMapGenerator file missing: " + file);
            }
        }
    }

    /** Where kubectl is installed (no cluster needed), the base must also build with its kustomize. */
    @Test
    void kubectlKustomizeBuildsTheBase() throws Exception {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, "kubectl")).filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(kubectl != null, "kubectl is not installed");
        Process build = new ProcessBuilder(kubectl.toString(), "kustomize", K8S.toString()).redirectErrorStream(true).start();
        String out = new String(build.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, build.waitFor(), out);
        Set<String> kinds = new TreeSet<>();
        for (JsonNode doc : DeployFiles.YAML.readerFor(JsonNode.class).<JsonNode>readValues(out).readAll()) {
            kinds.add(doc.path("kind").asText());
            assertEquals("greenlight", doc.path("metadata").path("namespace").asText(doc.path("metadata").path("name").asText()));
        }
        Set<String> expected = new TreeSet<>(KINDS.keySet());
        expected.remove("Secret");
        expected.remove("Job");
        expected.addAll(DeployFiles.CRD_KINDS);
        assertEquals(expected, kinds);
        assertTrue(out.contains("name: greenlight-connector-"), "the Deployment mounts the generated, hashed ConfigMap");
    }

    @Test
    void theBaseDeploysNoSecretSoApplyingItNeverSetsOrResetsCredentials() {
        for (String file : resources()) {
            assertFalse(DeployFiles.yaml(K8S.resolve(file)).path("kind").asText().equals("Secret"), file + " is a Secret");
        }
        assertFalse(byKind.keySet().stream().anyMatch(k -> k.startsWith("Secret/")));
    }

    @Test
    void everyImageIsFullyQualifiedWithARegistryAndPinned() {
        List<String> images = new ArrayList<>();
        images.add(greenlightContainer().getImage());
        images.add(((Job) kind("Job")).getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        for (String image : images) {
            assertTrue(DeployFiles.isQualifiedImage(image), image + " must name its registry and a tag other than latest");
        }
        String kustomized = kustomization.path("images").get(0).path("name").asText();
        assertEquals(greenlightContainer().getImage().replaceFirst(":[^:/]+$", ""), kustomized,
                "kustomization.yaml images: must name the Deployment's image to retag it");
        assertFalse(DeployFiles.isQualifiedImage("greenlight/greenlight:0.1.0"));
        assertFalse(DeployFiles.isQualifiedImage("docker.io/greenlight/greenlight:latest"));
    }

    @Test
    void theAdminServiceReachesTheLeaderAlsoWhileItIsNotReady() {
        Service admin = kind("Service/greenlight-admin");
        assertTrue(admin.getSpec().getPublishNotReadyAddresses(), "operators need /status and /cutover while the pod is not ready");
        assertEquals(leaderLabels(), admin.getSpec().getSelector());
        assertEquals("http", admin.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    }

    /**
     * The Services clients and operators use reach only the pod the leader labelled (the label and
     * its value are the ones the code writes); Prometheus scrapes every pod, standbys too
     * (GreenlightNoLeader needs them), through the headless Service, once, as the job the alert rules name.
     */
    @Test
    void clientsReachOnlyTheLeaderWhilePrometheusScrapesEveryPodOnceAsTheAlertsJob() {
        assertEquals(leaderLabels(), ((Service) kind("Service")).getSpec().getSelector(), "service.yaml");
        Service pods = kind("Service/greenlight-pods");
        assertEquals(podLabels(), pods.getSpec().getSelector(), "every pod, whatever its role");
        assertEquals("None", pods.getSpec().getClusterIP());
        assertTrue(pods.getSpec().getPublishNotReadyAddresses());
        JsonNode monitor = DeployFiles.yaml(K8S.resolve("servicemonitor.yaml")).path("spec");
        List<String> scraped = new ArrayList<>();
        for (String name : List.of("Service", "Service/greenlight-admin", "Service/greenlight-pods")) {
            Map<String, String> labels = ((Service) kind(name)).getMetadata().getLabels();
            boolean[] selected = {true};
            monitor.path("selector").path("matchLabels").fields()
                    .forEachRemaining(e -> selected[0] &= e.getValue().asText().equals(labels.get(e.getKey())));
            if (selected[0]) {
                scraped.add(kind(name).getMetadata().getName());
            }
        }
        assertEquals(List.of("greenlight-pods"), scraped, "the ServiceMonitor scrapes each pod once, through greenlight-pods");
        String job = pods.getMetadata().getLabels().get(monitor.path("jobLabel").asText());
        assertEquals("greenlight", job, "the job label comes from the Service's label named by jobLabel");
        assertTrue(DeployFiles.alertQueries().stream().anyMatch(q -> q.contains("job=\"" + job + "\"")),
                "the alert rules select job " + job);
    }

    @Test
    void aMisspeltFieldIsRejected() throws IOException {
        Path bad = Files.createTempFile("deployment", ".yaml");
        Files.writeString(bad, Files.readString(K8S.resolve("deployment.yaml")).replace("  replicas: 2", "  replica: 2"));
        IOException rejected = assertThrows(IOException.class, () -> DeployFiles.typed(bad, Deployment.class));
        assertTrue(rejected.getMessage().startsWith("Unrecognized field \"replica\""), rejected.getMessage());
        Files.delete(bad);
    }

    @Test
    void deploymentRunsNonRootPodsWithReadOnlyRootAndEmptyDirs() {
        Deployment deployment = kind("Deployment");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        Container container = greenlightContainer();
        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());

        String dataDir = configMapData().get("GREENLIGHT_DATA_DIR");
        assertNotNull(volumeAt(pod, container, dataDir).getEmptyDir(), "greenlight.data-dir must be an emptyDir");
        assertNotNull(volumeAt(pod, container, "/tmp").getEmptyDir(), "/tmp must be an emptyDir");

        Path connectorFile = Path.of(configMapData().get("GREENLIGHT_CAPTURE_CONNECTOR_CONFIG"));
        Volume connector = volumeAt(pod, container, connectorFile.getParent().toString());
        assertEquals("greenlight-connector", connector.getConfigMap().getName());
        assertTrue(generatedFiles("greenlight-connector").contains(connectorFile.getFileName().toString()));

        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertTrue(requests.containsKey("cpu") && requests.containsKey("memory") && limits.containsKey("memory"));
        assertTrue(Quantity.getAmountInBytes(limits.get("memory")).compareTo(Quantity.getAmountInBytes(requests.get("memory"))) >= 0);

        Set<String> envSources = container.getEnvFrom().stream()
                .map(e -> e.getConfigMapRef() != null ? "ConfigMap/" + e.getConfigMapRef().getName() : "Secret/" + e.getSecretRef().getName())
                .collect(Collectors.toSet());
        assertEquals(Set.of("ConfigMap/" + kind("ConfigMap").getMetadata().getName(),
                "Secret/" + kind("Secret").getMetadata().getName()), envSources);
        assertEquals(kind("ServiceAccount").getMetadata().getName(), pod.getServiceAccountName());
    }

    /**
     * A leader and a hot standby on different nodes; a rollout starts the new pod (a standby) before
     * it stops an old one, which the Lease and the epoch make safe; a drain may evict one of the two.
     */
    @Test
    void aLeaderAndAStandbyRollOutOneAtATimeOnDifferentNodesAndANodeDrainMayEvictOne() {
        Deployment deployment = kind("Deployment");
        assertEquals(2, deployment.getSpec().getReplicas());
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
        assertEquals(0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
        assertEquals(1, deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal());
        var antiAffinity = deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm();
        assertEquals("kubernetes.io/hostname", antiAffinity.getTopologyKey());
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(), antiAffinity.getLabelSelector().getMatchLabels());
        PodDisruptionBudget budget = kind("PodDisruptionBudget");
        assertTrue(budget.getSpec().getMinAvailable().getIntVal() < deployment.getSpec().getReplicas(),
                "the budget must let a node drain evict a pod");
        assertEquals("kubernetes", configMapData().get("GREENLIGHT_LEADER_ELECTION"));
    }

    @Test
    void theLeaderRoleGrantsOnlyLeasesAndLabellingPodsToTheDeploymentsAccount() {
        Role role = kind("Role/greenlight-leader");
        assertEquals(2, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of("coordination.k8s.io"), rule.getApiGroups());
        assertEquals(List.of("leases"), rule.getResources());
        assertEquals(Set.of("get", "create", "update"), Set.copyOf(rule.getVerbs()));
        PolicyRule pods = role.getRules().get(1);
        assertEquals(List.of(""), pods.getApiGroups());
        assertEquals(List.of("pods"), pods.getResources());
        assertEquals(Set.of("get", "list", "patch"), Set.copyOf(pods.getVerbs()), "what PodRoleLabel calls; no delete, no create");
        RoleBinding binding = kind("RoleBinding/greenlight-leader");
        assertEquals("greenlight-leader", binding.getRoleRef().getName());
        assertEquals(List.of("ServiceAccount/" + kind("ServiceAccount").getMetadata().getName()),
                binding.getSubjects().stream().map(sub -> sub.getKind() + "/" + sub.getName()).toList());
        assertEquals(configMapData().get("GREENLIGHT_LEADER_LEASE_NAME"), "greenlight");
    }

    @Test
    void portsProbesAndScrapePathMatchTheApplication() throws IOException {
        Properties app = DeployFiles.applicationProperties();
        int httpPort = Integer.parseInt(app.getProperty("quarkus.http.port"));
        Container container = greenlightContainer();
        assertEquals(1, container.getPorts().size());
        assertEquals(httpPort, container.getPorts().get(0).getContainerPort());
        assertEquals("http", container.getPorts().get(0).getName());

        assertProbe(container.getLivenessProbe(), "/q/health/live");
        assertProbe(container.getStartupProbe(), "/q/health/live");
        assertProbe(container.getReadinessProbe(), "/q/health/ready");

        Service service = kind("Service");
        assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        Map<String, String> podLabels = podLabels();
        assertEquals(leaderLabels(), service.getSpec().getSelector());
        assertEquals(podLabels, ((PodDisruptionBudget) kind("PodDisruptionBudget")).getSpec().getSelector().getMatchLabels());
        NetworkPolicy policy = kind("NetworkPolicy");
        assertEquals(podLabels, policy.getSpec().getPodSelector().getMatchLabels());
        assertEquals(List.of("http"), policy.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getStrVal()).toList());

        JsonNode monitor = DeployFiles.yaml(K8S.resolve("servicemonitor.yaml"));
        assertEquals("monitoring.coreos.com/v1", monitor.path("apiVersion").asText());
        assertEquals(service.getMetadata().getLabels().get("app.kubernetes.io/name"),
                monitor.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/name").asText());
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertEquals("http", endpoint.path("port").asText());
        assertEquals(app.getProperty("quarkus.micrometer.export.prometheus.path"), endpoint.path("path").asText());
    }

    @Test
    void envVarNamesAreRealConfigKeysAndSecretsStayInTheSecret() {
        Set<String> known = DeployFiles.configEnvNames();
        assertTrue(known.contains("GREENLIGHT_SOURCE_URL") && known.contains("GREENLIGHT_CAPTURE_CONNECTOR_CONFIG"), known::toString);
        Set<String> configMap = configMapData().keySet();
        Set<String> secret = ((Secret) kind("Secret")).getStringData().keySet();
        assertTrue(((Secret) kind("Secret")).getData() == null || ((Secret) kind("Secret")).getData().isEmpty());
        Set<String> all = new TreeSet<>(configMap);
        all.addAll(secret);
        assertEquals(Set.of(), difference(all, known), "ConfigMap/Secret keys that are no greenlight.* key");
        assertEquals(Set.of(), difference(Set.of("GREENLIGHT_SOURCE_URL", "GREENLIGHT_SOURCE_USERNAME",
                "GREENLIGHT_SOURCE_PASSWORD", "GREENLIGHT_TARGET_URL", "GREENLIGHT_TARGET_USERNAME",
                "GREENLIGHT_TARGET_PASSWORD", "GREENLIGHT_API_TOKEN"), all), "required settings missing");
        for (String name : all) {
            if (name.endsWith("_PASSWORD") || name.endsWith("_TOKEN")) {
                assertTrue(secret.contains(name) && !configMap.contains(name), name + " belongs in the Secret only");
            }
        }
        assertEquals(Set.of(), intersection(configMap, secret), "set in both the ConfigMap and the Secret");
        Set<String> containerEnv = new TreeSet<>();
        greenlightContainer().getEnv().forEach(e -> containerEnv.add(e.getName()));
        assertEquals(Set.of(), difference(containerEnv, union(known, JVM_ENV)), "Deployment env vars that nothing reads");
        Job job = kind("Job");
        for (EnvVar env : job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (env.getValueFrom() != null) {
                assertTrue(known.contains(env.getName()), env.getName());
                assertTrue(secret.contains(env.getValueFrom().getSecretKeyRef().getKey()));
            } else {
                assertTrue(Set.of("GREENLIGHT_URL", "CUTOVER_OPTIONS", "JAVA_TOOL_OPTIONS").contains(env.getName()),
                        env.getName() + ": the cutover Job's CLI reads no such variable");
            }
        }
    }

    @Test
    void configMapKeepsTheDocumentedDefaultsExceptWhereAClusterNeedsOtherwise() {
        assertEquals(Set.of("GREENLIGHT_DATA_DIR=/var/lib/greenlight (default greenlight-data)",
                        "GREENLIGHT_KAFKA_REPLICATION_FACTOR=3 (default 1)",
                        "GREENLIGHT_LEADER_ELECTION=kubernetes (default auto)"),
                DeployFiles.differFromDefaults(configMapData()));
    }

    @Test
    void roleGrantsOnlyGetAndPatchOnOneServiceToTheDeploymentsAccount() {
        Role role = kind("Role");
        assertEquals(1, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of(""), rule.getApiGroups());
        assertEquals(List.of("services"), rule.getResources());
        assertEquals(1, rule.getResourceNames().size(), "exactly one Service");
        assertEquals(Set.of("get", "patch"), Set.copyOf(rule.getVerbs()));
        RoleBinding binding = kind("RoleBinding");
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(List.of("ServiceAccount/" + kind("ServiceAccount").getMetadata().getName()),
                binding.getSubjects().stream().map(s -> s.getKind() + "/" + s.getName()).toList());
    }

    @Test
    void egressOnlyToDnsPostgresMysqlKafkaAndTheKubernetesApi() {
        NetworkPolicy policy = kind("NetworkPolicy");
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
        Set<Integer> ports = policy.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                .map(NetworkPolicyPort::getPort).map(p -> p.getIntVal()).collect(Collectors.toSet());
        assertEquals(Set.of(53, 5432, 3306, 9092, 9093, 443, 6443), ports);
        policy.getSpec().getEgress().forEach(r -> assertFalse(r.getPorts().isEmpty(), "an egress rule without ports allows everything"));
    }

    @Test
    void alertRulesCoverLagSlotErrorsAndFailedCutover() {
        JsonNode rule = DeployFiles.yaml(K8S.resolve("prometheusrule.yaml"));
        assertEquals("monitoring.coreos.com/v1", rule.path("apiVersion").asText());
        assertEquals("PrometheusRule", rule.path("kind").asText());
        Map<String, String> exprByAlert = new HashMap<>();
        for (JsonNode group : rule.path("spec").path("groups")) {
            assertFalse(group.path("name").asText().isEmpty());
            for (JsonNode r : group.path("rules")) {
                assertTrue(r.path("for").isTextual() && r.path("labels").path("severity").isTextual()
                        && r.path("annotations").path("summary").isTextual(), r.toString());
                exprByAlert.put(r.path("alert").asText(), r.path("expr").asText());
            }
        }
        assertTrue(exprByAlert.get("GreenlightLagHigh").contains("cdc_lag_seconds) > 5"));
        assertTrue(exprByAlert.get("GreenlightReplicationSlotLagGrowing").contains("deriv(cdc_replication_slot_lag_bytes"));
        assertTrue(exprByAlert.get("GreenlightApplyErrors").contains("cdc_apply_errors_total"));
        assertTrue(exprByAlert.get("GreenlightCutoverFailed").contains("greenlight_cutover_state{state=\"FAILED\"}"));
        assertTrue(exprByAlert.get("GreenlightCutoverFenceHeld").contains("greenlight_cutover_fence_up"));
        assertTrue(exprByAlert.get("GreenlightChangesAfterCutover").contains("greenlight_cutover_unapplied_changes_total"));
        assertEquals("5m", rule.path("spec").path("groups").get(0).path("rules").get(0).path("for").asText());
    }

    @Test
    void dashboardIsAGeneratedConfigMapAndEveryPanelQueriesMetrics() {
        JsonNode generator = generator("greenlight-dashboard");
        assertEquals("1", generator.path("options").path("labels").path("grafana_dashboard").asText());
        assertEquals(List.of(K8S.relativize(DeployFiles.DASHBOARD).toString()), texts(generator.path("files")));
        JsonNode dashboard = DeployFiles.yaml(DeployFiles.DASHBOARD);
        assertEquals("greenlight", dashboard.path("uid").asText());
        for (JsonNode panel : dashboard.path("panels")) {
            assertFalse(panel.path("description").asText().isBlank(), "panel without a description: " + panel.path("title"));
            assertFalse(panel.path("targets").isEmpty(), "panel without queries: " + panel.path("title"));
        }
        for (String query : union(Set.copyOf(DeployFiles.dashboardQueries()), Set.copyOf(DeployFiles.alertQueries()))) {
            Set<String> names = DeployFiles.metricNames(query);
            assertFalse(names.isEmpty(), "no metric in " + query);
            names.forEach(n -> assertTrue(n.startsWith("cdc_") || n.startsWith("greenlight_") || DeployFiles.EXTERNAL_METRICS.contains(n),
                    n + " in " + query));
        }
        assertEquals(Set.of("cdc_apply_batch_seconds_sum", "cdc_apply_batch_seconds_count"), DeployFiles.metricNames(
                "sum by (le) (rate(cdc_apply_batch_seconds_sum{table=\"a\"}[5m])) / on() sum(rate(cdc_apply_batch_seconds_count[1m])) > 1e9"));
    }

    @Test
    void theDashboardSelectsInstancesAndShowsPhasePausedTablesDeadLettersAndTheInitialLoad() {
        JsonNode dashboard = DeployFiles.yaml(DeployFiles.DASHBOARD);
        boolean selector = false;
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            selector |= variable.path("name").asText().equals("instance") && variable.path("multi").asBoolean()
                    && variable.path("definition").asText().contains("greenlight_pipeline_phase");
        }
        assertTrue(selector, "an instance variable (multi-select) over Greenlight's instances");
        for (String query : DeployFiles.dashboardQueries()) {
            for (String metric : DeployFiles.metricNames(query)) {
                assertTrue(query.matches(".*\\b" + metric.replaceAll("_(sum|count|max|total)$", "") + "[a-z_]*\\{instance=~\"\\$instance\"[,}].*"),
                        metric + " is not filtered by the instance variable in " + query);
            }
        }
        Set<String> metrics = new TreeSet<>();
        DeployFiles.dashboardQueries().forEach(q -> metrics.addAll(DeployFiles.metricNames(q)));
        assertTrue(metrics.containsAll(Set.of("greenlight_pipeline_phase", "greenlight_table_paused",
                "greenlight_dead_letter_events_total", "greenlight_backfill_rows_total")), metrics::toString);
    }

    @Test
    void theCutoverJobIsAOneOffOutsideTheBaseThatVerifiesThenCutsOverWithTheCli() {
        for (String file : resources()) {
            assertFalse(DeployFiles.yaml(K8S.resolve(file)).path("kind").asText().equals("Job"),
                    file + ": a Job in the base would run on apply, and a GitOps self-heal would undo a patch that starts it");
        }
        Job job = kind("Job");
        assertNotNull(job.getMetadata().getGenerateName(), "kubectl create makes a new Job each run");
        assertEquals(0, job.getSpec().getBackoffLimit());
        Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(greenlightContainer().getImage(), container.getImage(), "the CLI ships in Greenlight's image");
        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        String script = String.join("\n", container.getArgs());
        int verify = script.indexOf("greenlight verify");
        int dryRun = script.indexOf("--dry-run");
        int cutover = script.indexOf("greenlight cutover", dryRun);
        assertTrue(script.startsWith("set -e") && verify > 0 && verify < dryRun && dryRun < cutover,
                "verify, then a dry run of every guardrail, and only if both passed, the cutover: " + script);
        assertTrue(script.contains("io.greenlight.cli.GreenlightCli"), script);
        Map<String, String> env = new HashMap<>();
        container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertEquals("http://greenlight-admin:8080", env.get("GREENLIGHT_URL"), "the admin Service answers while the pod is not ready");
        assertTrue(env.get("CUTOVER_OPTIONS").contains("\"READ_ONLY\""), "the shipped Job fences: " + env.get("CUTOVER_OPTIONS"));
        assertTrue(container.getEnv().stream().anyMatch(e -> e.getName().equals("GREENLIGHT_API_TOKEN")
                && e.getValueFrom().getSecretKeyRef().getName().equals(((Secret) kind("Secret")).getMetadata().getName())));
        Map<String, String> jobLabels = job.getSpec().getTemplate().getMetadata().getLabels();
        NetworkPolicy policy = kind("NetworkPolicy");
        assertTrue(policy.getSpec().getIngress().get(0).getFrom().stream()
                .anyMatch(peer -> peer.getPodSelector() != null && jobLabels.entrySet().containsAll(peer.getPodSelector().getMatchLabels().entrySet())),
                "the NetworkPolicy must let the Job reach the API");
    }

    @Test
    void connectorPropertiesInK8sAreTheOnesInConnectors() throws IOException {
        assertEquals(-1, Files.mismatch(K8S.resolve("debezium-postgres.properties"),
                DeployFiles.ROOT.resolve("connectors/debezium-postgres.properties")),
                "k8s/debezium-postgres.properties must be an exact copy of connectors/debezium-postgres.properties");
    }

    static List<String> resources() {
        return texts(DeployFiles.yaml(K8S.resolve("kustomization.yaml")).path("resources"));
    }

    static Map<String, String> configMapData() {
        return ((ConfigMap) kind("ConfigMap")).getData();
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T kind(String kind) {
        return (T) byKind.get(kind);
    }

    private static Map<String, String> podLabels() {
        return ((Deployment) kind("Deployment")).getSpec().getTemplate().getMetadata().getLabels();
    }

    /** The pod labels plus the role label the leader puts on its own pod. */
    static Map<String, String> leaderLabels() {
        Map<String, String> labels = new HashMap<>(podLabels());
        assertFalse(labels.containsKey(PodRoleLabel.KEY), "the role is the pods' own label, not the template's");
        labels.put(PodRoleLabel.KEY, PodRoleLabel.LEADER);
        return labels;
    }

    private static Container greenlightContainer() {
        List<Container> containers = ((Deployment) kind("Deployment")).getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private static Volume volumeAt(PodSpec pod, Container container, String path) {
        VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
        return pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
    }

    private static void assertProbe(Probe probe, String path) {
        assertNotNull(probe);
        assertEquals(path, probe.getHttpGet().getPath());
        assertEquals("http", probe.getHttpGet().getPort().getStrVal());
    }

    private static JsonNode generator(String name) {
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            if (generator.path("name").asText().equals(name)) {
                return generator;
            }
        }
        throw new AssertionError("no configMapGenerator " + name);
    }

    private static List<String> generatedFiles(String name) {
        return texts(generator(name).path("files"));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.retainAll(b);
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }
}
