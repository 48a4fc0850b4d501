package io.greenlight.leader;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Kubernetes side of the election, against the Kubernetes API mock server: one Lease, one leader at a time. */
@EnableKubernetesMockClient(crud = true)
class KubernetesLeaseTest {

    static KubernetesClient client;

    @Test
    void oneOfTwoInstancesLeadsAndTheOtherTakesOverWhenTheLeaderReleasesTheLease() {
        List<String> events = new CopyOnWriteArrayList<>();
        Duration ttl = Duration.ofSeconds(10); // renewed within 6.7 s: under load a 2 s lease (1.3 s deadline) was lost to b
        CompletableFuture<?> a = LeaderElection.elector(client, "ns", "greenlight", "a", ttl, () -> events.add("a leads"),
                () -> events.add("a stopped"), leader -> events.add("a sees " + leader)).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> events.contains("a leads"));
        CompletableFuture<?> b = LeaderElection.elector(client, "ns", "greenlight", "b", ttl, () -> events.add("b leads"),
                () -> events.add("b stopped"), leader -> events.add("b sees " + leader)).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> events.contains("b sees a"));
        assertEquals("a", client.leases().inNamespace("ns").withName("greenlight").get().getSpec().getHolderIdentity());

        a.cancel(true); // a clean stop: the Lease is released
        await().atMost(Duration.ofSeconds(30)).until(() -> events.contains("b leads"));
        Lease lease = client.leases().inNamespace("ns").withName("greenlight").get();
        assertEquals("b", lease.getSpec().getHolderIdentity());
        assertEquals(List.of(), events.stream().filter(e -> e.equals("b leads") && !events.contains("a stopped")).toList(),
                "b leads only after a stopped leading");
        b.cancel(true);
    }
}
