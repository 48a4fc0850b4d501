package io.greenlight.leader;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.greenlight.PipelineState;
import io.greenlight.testing.TestConfig;
import io.greenlight.testing.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Traffic reaches the leader: each instance labels its pod greenlight.io/role (leader, or standby),
 * which the Services select; a takeover moves the label. Two real elections (Kubernetes Lease on
 * the API mock server, epoch on a real PostgreSQL) in one JVM.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderPodLabelTest {

    static KubernetesClient client;
    private static final String DB = "leader_pod_label";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void source() throws Exception {
        Class.forName("org.postgresql.Driver");
        TestServers.get().postgres.createDatabase(DB);
    }

    @Test
    void theLeadersPodIsLabelledLeaderTheStandbysStandbyAndARollingHandOverMovesTheLabelWithoutTwoLeaders() {
        pod("shop-1", "rev1", null);
        pod("shop-2", "rev2", null); // a rolling update's new pod: another ReplicaSet
        pod("billing-1", "rev1", "leader", "billing"); // another release's leader: not ours to relabel
        LeaderElection first = election("shop-1", "shop");
        first.onStart(null);
        await().atMost(WAIT).until(() -> PodRoleLabel.LEADER.equals(role("shop-1")));
        assertEquals(LeaderElection.Role.LEADER, first.view().role());

        LeaderElection second = election("shop-2", "shop");
        java.util.concurrent.atomic.AtomicBoolean twoLeaders = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watch = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                // second only starts and first only stops leading here: both true in this order means both at once
                twoLeaders.compareAndSet(false, second.leading() && first.leading());
                Thread.onSpinWait();
            }
        });
        watch.start();
        second.onStart(null);
        await().atMost(WAIT).until(() -> second.view().role() == LeaderElection.Role.STANDBY);
        await().atMost(WAIT).until(() -> PodRoleLabel.STANDBY.equals(role("shop-2")));
        assertEquals(PodRoleLabel.LEADER, role("shop-1"));

        first.onStop(null); // SIGTERM of a rollout or drain: the Lease is released, the label set back
        await().atMost(WAIT).until(second::leading);
        await().atMost(WAIT).until(() -> PodRoleLabel.LEADER.equals(role("shop-2")));
        assertEquals(PodRoleLabel.STANDBY, role("shop-1"));
        assertEquals(PodRoleLabel.LEADER, role("billing-1"));
        watch.interrupt();
        assertEquals(false, twoLeaders.get(), "the old and the new pod never lead at the same time");
        second.onStop(null);
    }

    /** A killed (or frozen) leader cannot take the label off its pod: the instance that takes over does. */
    @Test
    void theInstanceThatTakesOverMovesTheLabelOffAPodWhoseLeaderDiedWithIt() {
        pod("ledger-1", "rev1", "leader"); // its process was SIGKILLed while leading
        pod("ledger-2", "rev1", null);
        client.leases().inNamespace(client.getNamespace()).resource(new LeaseBuilder().withNewMetadata().withName("ledger")
                .endMetadata().withNewSpec().withHolderIdentity("ledger-1").withLeaseDurationSeconds(10)
                .withAcquireTime(ZonedDateTime.now().minusMinutes(1)).withRenewTime(ZonedDateTime.now().minusMinutes(1))
                .withLeaseTransitions(0).endSpec().build()).create();
        LeaderElection survivor = election("ledger-2", "ledger");
        survivor.onStart(null);
        await().atMost(WAIT).until(survivor::leading);
        await().atMost(WAIT).until(() -> PodRoleLabel.LEADER.equals(role("ledger-2")));
        await().atMost(WAIT).until(() -> PodRoleLabel.STANDBY.equals(role("ledger-1")));
        survivor.onStop(null);
    }

    /** Its restart comes up as a standby: the leader value its container left on the pod is set back at once. */
    @Test
    void aRestartedContainerSetsTheLeaderValueItsPredecessorLeftBackToStandbyBeforeItCampaigns() {
        pod("orders-1", "rev1", null);
        pod("orders-2", "rev1", null);
        LeaderElection leader = election("orders-2", "orders");
        leader.onStart(null);
        await().atMost(WAIT).until(() -> PodRoleLabel.LEADER.equals(role("orders-2")));
        label("orders-1", PodRoleLabel.LEADER); // what a container that led and was halted leaves on its pod
        LeaderElection restarted = election("orders-1", "orders");
        restarted.onStart(null);
        await().atMost(WAIT).until(() -> PodRoleLabel.STANDBY.equals(role("orders-1")));
        await().atMost(WAIT).until(() -> restarted.view().role() == LeaderElection.Role.STANDBY);
        assertEquals(PodRoleLabel.LEADER, role("orders-2"));
        restarted.onStop(null);
        leader.onStop(null);
    }

    private static LeaderElection election(String pod, String migration) {
        Map<String, String> config = new HashMap<>(Map.of(
                "greenlight.source.url", TestServers.get().postgres.jdbcUrl(DB),
                "greenlight.source.username", "postgres",
                "greenlight.source.slot", migration,
                "greenlight.kafka.bootstrap-servers", "127.0.0.1:9", // an external Kafka: standbys are allowed
                "greenlight.leader.election", "kubernetes",
                "greenlight.leader.lease-name", migration,
                "greenlight.leader.lease-duration", "10S", // renewed within 6.7 s even on a loaded machine: a lost lease halts the JVM
                "greenlight.leader.identity", pod));
        return new LeaderElection(TestConfig.minimal(config), new PipelineState(), () -> client, new SimpleMeterRegistry(), pod);
    }

    private static void pod(String name, String revision, String role) {
        pod(name, revision, role, name.substring(0, name.indexOf('-')));
    }

    private static void pod(String name, String revision, String role, String release) {
        Map<String, String> labels = new HashMap<>(Map.of("app.kubernetes.io/name", "greenlight",
                "app.kubernetes.io/instance", release, "app.kubernetes.io/component", "migrator", "pod-template-hash", revision));
        if (role != null) {
            labels.put(PodRoleLabel.KEY, role);
        }
        client.pods().inNamespace(client.getNamespace()).resource(new PodBuilder().withNewMetadata().withName(name)
                .withLabels(labels).endMetadata().withNewSpec().addNewContainer().withName("greenlight").withImage("greenlight")
                .endContainer().endSpec().build()).create();
    }

    private static void label(String pod, String role) {
        client.pods().inNamespace(client.getNamespace()).withName(pod).edit(p -> new PodBuilder(p).editMetadata()
                .addToLabels(PodRoleLabel.KEY, role).endMetadata().build());
    }

    private static String role(String pod) {
        Pod p = client.pods().inNamespace(client.getNamespace()).withName(pod).get();
        return p.getMetadata().getLabels().get(PodRoleLabel.KEY);
    }
}
