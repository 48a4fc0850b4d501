package io.greenlight.cutover;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The body of POST /cutover. Absent values take defaults; {@link #problems()} lists every value
 * out of range so the API answers 400 with all of them at once.
 *
 * @param timeoutSeconds          how long to wait for lag before the fence (nothing is fenced meanwhile)
 * @param maxWriteBlockedSeconds  the one budget of the write-blocked window: drain, sequences,
 *                                verification and postpone; when it runs out the fence is lifted and
 *                                the cutover ends FAILED before any switch
 * @param postponeTimeoutSeconds  a shorter bound for POSTPONED alone (the budget bounds it anyway)
 * @param dryRun                  run every guardrail and report; change nothing
 * @param giveUpRollback          cut over although reverse replication cannot keep the old source in sync:
 *                                a rollback would then lose the writes made on the target (recorded, shown)
 */
public record CutoverOptions(Double maxLagSeconds, Double stableSeconds, Double timeoutSeconds, Fence fence,
                             Boolean verify, Boolean postpone, Double postponeTimeoutSeconds, Actions actions,
                             Double maxWriteBlockedSeconds, Boolean dryRun, Boolean giveUpRollback) {

    private static final Pattern ROLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    private static final Pattern K8S_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    public static final double DEFAULT_MAX_WRITE_BLOCKED_SECONDS = 30;

    public enum FenceMode { NONE, READ_ONLY, REVOKE }

    /**
     * How writes on the source are stopped; {@code roles} are the application's roles. NONE needs
     * {@code acknowledgeUnfencedWrites: true}: the operator states the application no longer writes.
     */
    public record Fence(FenceMode mode, List<String> roles, Boolean acknowledgeUnfencedWrites) {
    }

    public record Webhook(String url) {
    }

    public record KubernetesService(String namespace, String service, Map<String, String> selector) {
    }

    public record Actions(Webhook webhook, KubernetesService kubernetes) {
    }

    /** No options at all: every default. */
    public static CutoverOptions none() {
        return new CutoverOptions(null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Options with every default filled in. */
    public CutoverOptions withDefaults(double defaultMaxLag) {
        Fence f = fence != null ? new Fence(fence.mode != null ? fence.mode : FenceMode.READ_ONLY,
                fence.roles != null ? fence.roles : List.of(), fence.acknowledgeUnfencedWrites != null && fence.acknowledgeUnfencedWrites)
                : new Fence(FenceMode.READ_ONLY, List.of(), false);
        double budget = maxWriteBlockedSeconds != null ? maxWriteBlockedSeconds : DEFAULT_MAX_WRITE_BLOCKED_SECONDS;
        return new CutoverOptions(maxLagSeconds != null ? maxLagSeconds : defaultMaxLag,
                stableSeconds != null ? stableSeconds : 5.0, timeoutSeconds != null ? timeoutSeconds : 600.0, f,
                verify != null && verify, postpone != null && postpone,
                postponeTimeoutSeconds != null ? Math.min(postponeTimeoutSeconds, budget) : budget,
                actions != null ? actions : new Actions(null, null), budget, dryRun != null && dryRun,
                giveUpRollback != null && giveUpRollback);
    }

    /** The same options with the webhook URL's user-info and query string hidden (GET /cutover, logs). */
    public CutoverOptions redacted() {
        if (actions == null || actions.webhook == null || actions.webhook.url == null) {
            return this;
        }
        return new CutoverOptions(maxLagSeconds, stableSeconds, timeoutSeconds, fence, verify, postpone, postponeTimeoutSeconds,
                new Actions(new Webhook(redact(actions.webhook.url)), actions.kubernetes), maxWriteBlockedSeconds, dryRun,
                giveUpRollback);
    }

    /** {@code https://user:secret@hooks.example/x?token=abc} → {@code https://***@hooks.example/x?***}. */
    public static String redact(String url) {
        try {
            URI uri = URI.create(url);
            StringBuilder shown = new StringBuilder().append(uri.getScheme()).append("://");
            if (uri.getRawUserInfo() != null) {
                shown.append("***@");
            }
            shown.append(uri.getHost());
            if (uri.getPort() >= 0) {
                shown.append(':').append(uri.getPort());
            }
            shown.append(uri.getRawPath() == null ? "" : uri.getRawPath());
            if (uri.getRawQuery() != null) {
                shown.append("?***");
            }
            return shown.toString();
        } catch (RuntimeException e) {
            return "(an invalid URL, not shown)";
        }
    }

    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        range(problems, "maxLagSeconds", maxLagSeconds, 0.001, 3600);
        range(problems, "stableSeconds", stableSeconds, 0, 3600);
        range(problems, "timeoutSeconds", timeoutSeconds, 1, 7 * 24 * 3600);
        range(problems, "postponeTimeoutSeconds", postponeTimeoutSeconds, 1, 7 * 24 * 3600);
        range(problems, "maxWriteBlockedSeconds", maxWriteBlockedSeconds, 1, 3600);
        if (fence != null) {
            FenceMode mode = fence.mode != null ? fence.mode : FenceMode.READ_ONLY;
            List<String> roles = fence.roles != null ? fence.roles : List.of();
            if (mode == FenceMode.REVOKE && roles.isEmpty()) {
                problems.add("fence.roles must name the application roles to revoke writes from");
            }
            if (mode == FenceMode.NONE && !Boolean.TRUE.equals(fence.acknowledgeUnfencedWrites)) {
                problems.add("fence.mode NONE leaves the source writable: writes the application makes after the drain marker "
                        + "are lost to the target. Stop the application's writes yourself and send "
                        + "\"fence\": {\"mode\": \"NONE\", \"acknowledgeUnfencedWrites\": true}, or use READ_ONLY (the default) or REVOKE");
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
