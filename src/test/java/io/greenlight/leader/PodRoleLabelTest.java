package io.greenlight.leader;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pod's role label is set even when the API server refuses at first (RBAC not applied yet, an outage): it is retried. */
@EnableKubernetesMockClient
class PodRoleLabelTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void aRefusedLabelPatchIsRetriedUntilThePodCarriesTheRole() throws Exception {
        String path = "/api/v1/namespaces/test/pods/greenlight-0";
        server.expect().get().withPath(path).andReturn(200, new PodBuilder().withNewMetadata().withName("greenlight-0")
                .endMetadata().build()).always(); // the client reads the pod before it patches
        server.expect().patch().withPath(path).andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                .withMessage("pods \"greenlight-0\" is forbidden: User \"system:serviceaccount:test:greenlight\" cannot patch").build())
                .once();
        server.expect().patch().withPath(path).andReturn(200, new PodBuilder().withNewMetadata().withName("greenlight-0")
                .addToLabels(PodRoleLabel.KEY, PodRoleLabel.STANDBY).endMetadata().build()).once();
        java.util.List<String> patches = new java.util.ArrayList<>();
        try (PodRoleLabel label = new PodRoleLabel(client, "test", "greenlight-0", 100)) {
            label.want(false);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                var request = server.takeRequest(100, TimeUnit.MILLISECONDS);
                if (request != null && request.getMethod().equals("PATCH")) {
                    patches.add(request.getPath() + " " + request.getBody().readUtf8());
                }
                return patches.size() == 2;
            });
        }
        String body = path + " {\"metadata\":{\"labels\":{\"greenlight.io/role\":\"standby\"}}}";
        assertEquals(java.util.List.of(body, body), patches, "refused once (403), then retried");
    }
}
