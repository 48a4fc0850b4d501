package io.greenlight.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.greenlight.deploy.DeployFiles.K8S;
import static io.greenlight.deploy.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The alert rules of k8s/prometheusrule.yaml pass {@code promtool check rules}, and
 * {@code promtool test rules} proves for every alert when it fires and when it stays silent
 * (src/test/promtool/greenlight-rules.test.yaml). Every alert links its run-book section.
 */
class AlertRulesTest {

    static final Path TESTS = ROOT.resolve("src/test/promtool/greenlight-rules.test.yaml");
    static final Path RUNBOOK = ROOT.resolve("docs/alerts/runbook.md");
    static final String RUNBOOK_URL = "https://github.com/greenlight/greenlight/blob/main/docs/alerts/runbook.md#";

    private static Path work;

    @BeforeAll
    static void rulesAsAPlainRuleFile() throws IOException {
        work = Files.createDirectories(ROOT.resolve("target/promtool"));
        writeRuleFile(DeployFiles.yaml(K8S.resolve("prometheusrule.yaml")), work.resolve("greenlight-rules.yaml"));
        Files.copy(TESTS, work.resolve(TESTS.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }

    /** A PrometheusRule's spec is a Prometheus rule file: {groups: [...]}. */
    static void writeRuleFile(JsonNode prometheusRule, Path file) throws IOException {
        ObjectNode rules = JsonNodeFactory.instance.objectNode();
        rules.set("groups", prometheusRule.path("spec").path("groups"));
        DeployFiles.YAML.writeValue(file.toFile(), rules);
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        String out = promtool("check", "rules", "greenlight-rules.yaml");
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void promtoolUnitTestsProveWhenEachAlertFiresAndWhenItStaysSilent() throws Exception {
        String out = promtool("test", "rules", TESTS.getFileName().toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void everyAlertHasAFiringAndASilentTestCase() {
        Set<String> alerts = new TreeSet<>(alerts().keySet());
        Set<String> fires = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (JsonNode test : DeployFiles.yaml(TESTS).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? silent : fires).add(check.path("alertname").asText());
            }
        }
        assertEquals(alerts, fires, "alerts without a test case in which they fire");
        assertEquals(alerts, silent, "alerts without a test case in which they stay silent");
    }

    @Test
    void everyAlertLinksItsOwnSectionOfTheRunbook() throws IOException {
        Set<String> headings = new TreeSet<>();
        for (String line : Files.readAllLines(RUNBOOK)) {
            if (line.startsWith("## ")) {
                headings.add(line.substring(3).trim());
            }
        }
        List<String> wrong = new ArrayList<>();
        alerts().forEach((alert, rule) -> {
            String url = rule.path("annotations").path("runbook_url").asText();
            if (!url.equals(RUNBOOK_URL + alert.toLowerCase())) {
                wrong.add(alert + ": runbook_url '" + url + "'");
            }
            if (!headings.contains(alert)) {
                wrong.add(alert + ": no section '## " + alert + "' in " + RUNBOOK);
            }
        });
        assertEquals(List.of(), wrong);
        assertEquals(alerts().keySet(), headings, "run-book sections without an alert");
    }

    static Map<String, JsonNode> alerts() {
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        for (JsonNode group : DeployFiles.yaml(K8S.resolve("prometheusrule.yaml")).path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                alerts.put(rule.path("alert").asText(), rule);
            }
        }
        return alerts;
    }

    /** Runs promtool in the work directory; fails naming how to install it when it is missing. */
    static String promtool(String... args) throws Exception {
        Path promtool = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).findFirst().orElse(null);
        if (promtool == null) {
            fail("promtool is not installed (not on PATH). Run scripts/install-deps.sh: it installs promtool from "
                    + "Debian's prometheus package without starting a Prometheus server.");
        }
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "promtool did not finish: " + out);
        assertEquals(0, process.exitValue(), String.join(" ", args) + " failed:\n" + out);
        return out;
    }
}
