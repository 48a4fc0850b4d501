package io.greenlight.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.greenlight.testing.GreenlightTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The running application (booted once, shared with PipelineMariaDbTest through the same test
 * resource) serves every metric the dashboard and the alert rules query, and the paths the
 * Deployment probes and the ServiceMonitor scrapes.
 */
@QuarkusTest
@WithTestResource(GreenlightTestResource.class)
class DeployMetricsTest {

    @BeforeEach
    void pipelineIsStreaming() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("the pipeline FAILED", () -> "FAILED".equals(given().get("/status").path("phase")))
                .untilAsserted(() -> given().get("/status").then().statusCode(200).body("phase", equalTo("STREAMING")));
        // Per-table meters register with the first event: wait for the snapshot to be applied.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().get("/q/metrics").then().body(containsString("cdc_events_applied_total{")));
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsExported() {
        Set<String> queried = new TreeSet<>();
        DeployFiles.dashboardQueries().forEach(q -> queried.addAll(DeployFiles.metricNames(q)));
        DeployFiles.alertQueries().forEach(q -> queried.addAll(DeployFiles.metricNames(q)));
        Set<String> exported = exportedSeries(given().get("/q/metrics").then().statusCode(200).extract().asString());
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(DeployFiles.EXTERNAL_METRICS);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "metrics queried by k8s/dashboards/greenlight.json or k8s/prometheusrule.yaml "
                + "that /q/metrics does not export");
    }

    @Test
    void thePipelinePhaseIsExportedAsOneForTheCurrentPhaseAndZeroForTheOthers() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("greenlight_pipeline_phase{phase=\"STREAMING\"} 1.0"), metrics);
        for (String other : List.of("STARTING", "SNAPSHOT", "STOPPED", "FAILED")) {
            assertTrue(metrics.contains("greenlight_pipeline_phase{phase=\"" + other + "\"} 0.0"), other);
        }
    }

    @Test
    void theDeploymentsProbesAndTheScrapePathAnswer() throws Exception {
        Container container = DeployFiles.typed(DeployFiles.K8S.resolve("deployment.yaml"), Deployment.class)
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        given().get(container.getLivenessProbe().getHttpGet().getPath()).then().statusCode(200).body("status", equalTo("UP"));
        given().get(container.getStartupProbe().getHttpGet().getPath()).then().statusCode(200);
        given().get(container.getReadinessProbe().getHttpGet().getPath()).then().statusCode(200).body("status", equalTo("UP"));
        String scrapePath = DeployFiles.yaml(DeployFiles.K8S.resolve("servicemonitor.yaml"))
                .path("spec").path("endpoints").get(0).path("path").asText();
        given().get(scrapePath).then().statusCode(200).body(containsString("# TYPE "));
    }

    /** Names of the series in a Prometheus text exposition (cdc_x_total, cdc_y_sum, ...). */
    private static Set<String> exportedSeries(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
