package io.greenlight.cutover;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The switch: tell the world the target is now the database (webhook, Service selector patch). */
final class SwitchActions {

    private final ObjectMapper json;
    private final Supplier<KubernetesClient> kubernetes;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1) // no h2c upgrade round trip inside the window
            .connectTimeout(Duration.ofSeconds(10)).build();

    SwitchActions(ObjectMapper json, Supplier<KubernetesClient> kubernetes) {
        this.json = json;
        this.kubernetes = kubernetes;
    }

    /**
     * Checks, before anything is fenced, that the actions can run: the Service exists and the
     * webhook's server answers. This also opens both connections, so the switch itself is quick
     * (a cold HTTP client alone cost ~0.2 s of write-blocked time, several seconds under load).
     */
    void check(CutoverOptions.Actions actions) throws InterruptedException {
        if (actions.webhook() != null) {
            // HEAD is safe by HTTP's definition: any answer, even 404 or 405, proves the server is there.
            HttpRequest probe = HttpRequest.newBuilder(URI.create(actions.webhook().url())).timeout(Duration.ofSeconds(10))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            try {
                http.send(probe, HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                throw new IllegalStateException("Webhook " + actions.webhook().url() + " is unreachable (" + e
                        + "); nothing was fenced", e);
            }
        }
        if (actions.kubernetes() != null) {
            CutoverOptions.KubernetesService k = actions.kubernetes();
            if (kubernetes.get().services().inNamespace(k.namespace()).withName(k.service()).get() == null) {
                throw new IllegalStateException("Kubernetes Service " + k.namespace() + "/" + k.service()
                        + " does not exist (actions.kubernetes); nothing was fenced");
            }
        }
    }

    /** Runs every configured action; one line per action done. Throws on the first that fails. */
    List<String> run(CutoverOptions.Actions actions, CutoverRecord record) throws Exception {
        List<String> done = new ArrayList<>();
        if (actions.kubernetes() != null) {
            long started = System.nanoTime();
            CutoverOptions.KubernetesService k = actions.kubernetes();
            // One JSON patch request (no read-modify-write): the Service was checked before the fence.
            String patch = json.writeValueAsString(List.of(Map.of("op", "add", "path", "/spec/selector", "value", k.selector())));
            kubernetes.get().services().inNamespace(k.namespace()).withName(k.service())
                    .patch(PatchContext.of(PatchType.JSON), patch);
            done.add("kubernetes: Service " + k.namespace() + "/" + k.service() + " selector set to " + k.selector()
                    + " (" + millisSince(started) + " ms)");
        }
        if (actions.webhook() != null) {
            long started = System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(URI.create(actions.webhook().url()))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(record))).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("Webhook " + actions.webhook().url() + " answered " + response.statusCode());
            }
            done.add("webhook: POST " + actions.webhook().url() + " → " + response.statusCode()
                    + " (" + millisSince(started) + " ms)");
        }
        return done;
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
