package io.greenlight.cutover;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The body of POST /cutover. Absent values take defaults; {@link #problems()} lists every value
 * out of range so the API answers 400 with all of them at once.
 */
public record CutoverOptions(Double maxLagSeconds, Double stableSeconds, Double timeoutSeconds, Fence fence,
                             Boolean verify, Boolean postpone, Double postponeTimeoutSeconds, Actions actions) {

    private static final Pattern ROLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    private static final Pattern K8S_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public enum FenceMode { NONE, READ_ONLY, REVOKE }

    /** How writes on the source are stopped; {@code roles} are the application's roles. */
    public record Fence(FenceMode mode, List<String> roles) {
    }

    public record Webhook(String url) {
    }

    public record KubernetesService(String namespace, String service, Map<String, String> selector) {
    }

    public record Actions(Webhook webhook, KubernetesService kubernetes) {
    }

    /** Options with every default filled in. */
    public CutoverOptions withDefaults(double defaultMaxLag) {
        return new CutoverOptions(maxLagSeconds != null ? maxLagSeconds : defaultMaxLag,
                stableSeconds != null ? stableSeconds : 5.0, timeoutSeconds != null ? timeoutSeconds : 600.0,
                fence != null ? new Fence(fence.mode != null ? fence.mode : FenceMode.NONE, fence.roles != null ? fence.roles : List.of())
                        : new Fence(FenceMode.NONE, List.of()),
                verify != null && verify, postpone != null && postpone,
                postponeTimeoutSeconds != null ? postponeTimeoutSeconds : 3600.0,
                actions != null ? actions : new Actions(null, null));
    }

    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        range(problems, "maxLagSeconds", maxLagSeconds, 0.001, 3600);
        range(problems, "stableSeconds", stableSeconds, 0, 3600);
        range(problems, "timeoutSeconds", timeoutSeconds, 1, 7 * 24 * 3600);
        range(problems, "postponeTimeoutSeconds", postponeTimeoutSeconds, 1, 7 * 24 * 3600);
        if (fence != null) {
            FenceMode mode = fence.mode != null ? fence.mode : FenceMode.NONE;
            List<String> roles = fence.roles != null ? fence.roles : List.of();
            if (mode == FenceMode.REVOKE && roles.isEmpty()) {
                problems.add("fence.roles must name the application roles to revoke writes from");
            }
            roles.stream().filter(r -> r == null || !ROLE.matcher(r).matches())
                    .forEach(r -> problems.add("fence.roles: '" + r + "' is not a PostgreSQL role name"));
        }
        if (actions != null && actions.webhook != null) {
            try {
                URI uri = URI.create(actions.webhook.url);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    problems.add("actions.webhook.url must be an http(s) URL");
                }
            } catch (RuntimeException e) {
                problems.add("actions.webhook.url must be an http(s) URL");
            }
        }
        if (actions != null && actions.kubernetes != null) {
            KubernetesService k = actions.kubernetes;
            if (k.namespace == null || !K8S_NAME.matcher(k.namespace).matches()) {
                problems.add("actions.kubernetes.namespace must be a Kubernetes namespace name");
            }
            if (k.service == null || !K8S_NAME.matcher(k.service).matches()) {
                problems.add("actions.kubernetes.service must be a Kubernetes Service name");
            }
            if (k.selector == null || k.selector.isEmpty()) {
                problems.add("actions.kubernetes.selector must map at least one label to a value");
            }
        }
        return problems;
    }

    private static void range(List<String> problems, String name, Double value, double min, double max) {
        if (value != null && (value.isNaN() || value < min || value > max)) {
            problems.add(name + " is " + value + ", expected a number in [" + min + ", " + max + "]");
        }
    }
}
