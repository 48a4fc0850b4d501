package io.greenlight.leader;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Routes traffic to the leader: labels this instance's pod {@code greenlight.io/role=leader} while
 * it leads and {@code standby} otherwise; the Services operators and the CLI use select
 * {@code leader}. A new leader first moves the label off every other pod of its Deployment (same
 * labels) that still carries it: a predecessor that was killed, frozen or is restarting cannot
 * take it off itself. Patches run on a thread of their own and are retried until the pod carries
 * the role this instance has now, so a slow or unreachable API server never holds up the election.
 */
public final class PodRoleLabel implements AutoCloseable {

    public static final String KEY = "greenlight.io/role";
    public static final String LEADER = "leader";
    public static final String STANDBY = "standby";
    /** Labels that differ between the pods of one Deployment (its ReplicaSets): not used to find the siblings. */
    private static final java.util.Set<String> PER_REVISION = java.util.Set.of(KEY, "pod-template-hash");
    private static final Logger LOG = Logger.getLogger(PodRoleLabel.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String pod;
    private final long retryMillis;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "greenlight-pod-role");
        t.setDaemon(true);
        return t;
    });
    private volatile Boolean wanted;
    private Boolean applied;
    private boolean warned;

    public PodRoleLabel(KubernetesClient client, String namespace, String pod, long retryMillis) {
        this.client = client;
        this.namespace = namespace;
        this.pod = pod;
        this.retryMillis = retryMillis;
    }

    /** This pod's label should say {@code leading}: applied in the background, retried until it holds. */
    public void want(boolean leading) {
        wanted = leading;
        worker.execute(this::converge);
    }

    /** A clean stop: sets the standby value (waiting up to 2 s for it), then stops the worker. */
    @Override
    public void close() {
        want(false);
        worker.shutdown();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.shutdownNow();
    }

    private void converge() {
        Boolean now = wanted;
        if (now == null || now.equals(applied)) {
            return;
        }
        try {
            if (now) {
                demoteOthers();
            }
            label(pod, now ? LEADER : STANDBY);
            applied = now;
            warned = false;
            LOG.infof("Pod %s/%s labelled %s=%s", namespace, pod, KEY, now ? LEADER : STANDBY);
        } catch (KubernetesClientException e) {
            if (!warned) {
                LOG.warnf("Cannot label pod %s/%s %s=%s (%s): the Service that selects the leader %s. Grant the pods' "
                                + "ServiceAccount get, list and patch on pods (Role greenlight-leader, k8s/role-leader.yaml); "
                                + "retrying every %d s.", namespace, pod, KEY, now ? LEADER : STANDBY, e.getMessage(),
                        now ? "does not reach this leader yet" : "may still route to this standby", retryMillis / 1000);
                warned = true;
            }
            if (!worker.isShutdown()) {
                worker.schedule(this::converge, retryMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Every other pod with this pod's labels that still says leader now says standby. */
    private void demoteOthers() {
        Pod self = client.pods().inNamespace(namespace).withName(pod).get();
        if (self == null) {
            throw new KubernetesClientException("pod " + namespace + "/" + pod + " not found (greenlight names its pod by HOSTNAME)");
        }
        Map<String, String> siblings = new HashMap<>(self.getMetadata().getLabels() == null ? Map.of() : self.getMetadata().getLabels());
        siblings.keySet().removeAll(PER_REVISION);
        siblings.put(KEY, LEADER);
        for (Pod other : client.pods().inNamespace(namespace).withLabels(siblings).list().getItems()) {
            if (!other.getMetadata().getName().equals(pod)) {
                label(other.getMetadata().getName(), STANDBY);
                LOG.infof("Pod %s/%s, which led before, labelled %s=%s: traffic goes to this leader (%s)", namespace,
                        other.getMetadata().getName(), KEY, STANDBY, pod);
            }
        }
    }

    private void label(String name, String value) {
        client.pods().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"" + KEY + "\":\"" + value + "\"}}}");
    }
}
