package io.greenlight.cutover;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ServiceResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The switch: tell the world the target is now the database (Service selector patch, webhook).
 * Each action's before-state is handed to {@code progress} (which persists it) before the action
 * runs, so that a failure later can revert exactly what ran. Both actions are idempotent: a
 * restart in SWITCHING runs them again.
 */
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
     * Checks, before anything is fenced, that the actions can run: the webhook's server answers, the
     * Service exists and a server-side dry-run patch of it is accepted (RBAC, admission). This also
     * opens both connections, so the switch itself is quick. Returns one line per check passed.
     */
    List<String> check(CutoverOptions.Actions actions) throws InterruptedException {
        List<String> passed = new ArrayList<>();
        if (actions.webhook() != null) {
            String shown = CutoverOptions.redact(actions.webhook().url());
            // HEAD is safe by HTTP's definition: any answer, even 404 or 405, proves the server is there.
            HttpRequest probe = HttpRequest.newBuilder(URI.create(actions.webhook().url())).timeout(Duration.ofSeconds(10))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            try {
                int status = http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
                passed.add("webhook " + shown + " is reachable (HEAD answered " + status + ")");
            } catch (IOException e) {
                throw new IllegalStateException("Webhook " + shown + " is unreachable (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
            }
        }
        if (actions.kubernetes() != null) {
            CutoverOptions.KubernetesService k = actions.kubernetes();
            ServiceResource<Service> service = service(k);
            Service current = service.get();
            if (current == null) {
                throw new IllegalStateException("Kubernetes Service " + k.namespace() + "/" + k.service()
                        + " does not exist (actions.kubernetes)");
            }
            Map<String, String> selector = Optional.ofNullable(current.getSpec().getSelector()).orElse(Map.of());
            try {
                // Patches the selector to what it is, server-side dry run: proves the patch is allowed, changes nothing.
                service.dryRun().patch(PatchContext.of(PatchType.JSON), selectorPatch(selector));
            } catch (RuntimeException e) {
                throw new IllegalStateException("Kubernetes refused a dry-run patch of Service " + k.namespace() + "/"
                        + k.service() + " (" + e.getMessage() + "); the service account needs get and patch on services "
                        + "(see k8s/role.yaml)", e);
            }
            passed.add("kubernetes Service " + k.namespace() + "/" + k.service() + " exists (selector " + selector
                    + ") and a dry-run patch was accepted");
        }
        return passed;
    }

    /**
     * Runs every configured action in order; one line per action done. {@code progress} receives
     * each action's state before and after it runs. Throws on the first that fails.
     */
    List<String> run(CutoverOptions.Actions actions, CutoverRecord record, Consumer<SwitchRun> progress) throws Exception {
        List<String> done = new ArrayList<>();
        if (actions.kubernetes() != null) {
            long started = System.nanoTime();
            CutoverOptions.KubernetesService k = actions.kubernetes();
            SwitchRun earlier = runOf(record, SwitchRun.KUBERNETES);
            Map<String, String> before;
            if (earlier != null) {
                before = earlier.selectorBefore(); // resumed: the selector may already be the new one
            } else {
                Service current = service(k).get();
                if (current == null) {
                    throw new IllegalStateException("Kubernetes Service " + k.namespace() + "/" + k.service() + " no longer exists");
                }
                before = Optional.ofNullable(current.getSpec().getSelector()).orElse(Map.of());
            }
            SwitchRun run = new SwitchRun(SwitchRun.KUBERNETES, before, SwitchRun.State.STARTED,
                    "patching Service " + k.namespace() + "/" + k.service() + " selector " + before + " → " + k.selector());
            progress.accept(run);
            service(k).patch(PatchContext.of(PatchType.JSON), selectorPatch(k.selector()));
            String line = "kubernetes: Service " + k.namespace() + "/" + k.service() + " selector set to " + k.selector()
                    + " (was " + before + ", " + millisSince(started) + " ms)";
            progress.accept(run.to(SwitchRun.State.DONE, line));
            done.add(line);
        }
        if (actions.webhook() != null) {
            long started = System.nanoTime();
            String shown = CutoverOptions.redact(actions.webhook().url());
            SwitchRun run = new SwitchRun(SwitchRun.WEBHOOK, null, SwitchRun.State.STARTED, "POST " + shown);
            progress.accept(run);
            HttpResponse<String> response;
            try {
                response = post(actions.webhook().url(), "switch", record);
            } catch (IOException e) {
                throw new IllegalStateException("Webhook " + shown + " did not answer (" + e.getClass().getSimpleName()
                        + "); it may have acted on the switch", e);
            }
            if (response.statusCode() / 100 != 2) {
                progress.accept(run.to(SwitchRun.State.FAILED, "POST " + shown + " → " + response.statusCode()));
                throw new IllegalStateException("Webhook " + shown + " answered " + response.statusCode());
            }
            String line = "webhook: POST " + shown + " → " + response.statusCode() + " (" + millisSince(started) + " ms)";
            progress.accept(run.to(SwitchRun.State.DONE, line));
            done.add(line);
        }
        return done;
    }

    /**
     * Reverts {@code run}: the Service selector goes back to its before-state; the webhook is POSTed
     * the record again with header {@code Greenlight-Event: revert}. Returns the run REVERTED; throws
     * if it could not be reverted.
     */
    SwitchRun revert(SwitchRun run, CutoverOptions.Actions actions, CutoverRecord record) throws Exception {
        if (SwitchRun.KUBERNETES.equals(run.action())) {
            CutoverOptions.KubernetesService k = actions.kubernetes();
            service(k).patch(PatchContext.of(PatchType.JSON), selectorPatch(run.selectorBefore()));
            return run.to(SwitchRun.State.REVERTED, "Service " + k.namespace() + "/" + k.service() + " selector set back to "
                    + run.selectorBefore());
        }
        String shown = CutoverOptions.redact(actions.webhook().url());
        HttpResponse<String> response = post(actions.webhook().url(), "revert", record);
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("webhook " + shown + " answered " + response.statusCode() + " to the revert");
        }
        return run.to(SwitchRun.State.REVERTED, "POST " + shown + " (Greenlight-Event: revert) → " + response.statusCode());
    }

    /** What an operator runs to revert {@code run} by hand. */
    static String manualRevert(SwitchRun run, CutoverOptions.Actions actions) {
        if (SwitchRun.KUBERNETES.equals(run.action())) {
            CutoverOptions.KubernetesService k = actions.kubernetes();
            StringBuilder patch = new StringBuilder("[{\"op\":\"replace\",\"path\":\"/spec/selector\",\"value\":{");
            String sep = "";
            for (Map.Entry<String, String> e : run.selectorBefore().entrySet()) {
                patch.append(sep).append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
                sep = ",";
            }
            patch.append("}}]");
            return "kubectl -n " + k.namespace() + " patch service " + k.service() + " --type=json -p '" + patch + "'";
        }
        return "tell the receiver of webhook " + CutoverOptions.redact(actions.webhook().url())
                + " that the switch is undone (its POST may have been acted on)";
    }

    private HttpResponse<String> post(String url, String event, CutoverRecord record) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Greenlight-Event", event)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(record.redacted()))).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private ServiceResource<Service> service(CutoverOptions.KubernetesService k) {
        return kubernetes.get().services().inNamespace(k.namespace()).withName(k.service());
    }

    private String selectorPatch(Map<String, String> selector) {
        // One JSON patch request (no read-modify-write).
        try {
            return json.writeValueAsString(List.of(Map.of("op", "add", "path", "/spec/selector", "value", selector)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the selector patch: " + e.getMessage(), e);
        }
    }

    private static SwitchRun runOf(CutoverRecord record, String action) {
        return record.switchRuns().stream().filter(r -> r.action().equals(action)).findFirst().orElse(null);
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
