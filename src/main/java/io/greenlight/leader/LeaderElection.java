package io.greenlight.leader;

import io.agroal.api.AgroalDataSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.greenlight.DataSources;
import io.greenlight.PipelineState;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LeaseSql;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * One active instance. Campaigns for the lease (a Kubernetes Lease through fabric8's
 * LeaderElector in a cluster, the source's lease row otherwise); the winner's epoch — one more
 * than the last leader's — is the fencing token that apply's target transactions and the
 * cutover's source transactions check. Until it wins, the instance is a standby: HTTP, /status
 * and metrics answer, nothing is captured, applied or fenced. A leader that learns another took
 * over exits at once (its writes are refused anyway) so that it comes back as a standby.
 */
@ApplicationScoped
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    /** Exit status of an instance that lost the lease: restart it, it comes back as a standby. */
    public static final int LOST_LEASE_EXIT = 3;

    public enum Role { STARTING, STANDBY, LEADER, REFUSED }

    /** What /status shows: this instance, its role, who leads and with which epoch. */
    public record View(Role role, String instance, String leader, long epoch, String election) {
    }

    private final GreenlightConfig config;
    private final PipelineState state;
    private final Supplier<KubernetesClient> kubernetes;
    /** This instance's pod when it runs in Kubernetes (labelled with its role), else null. */
    private final String pod;
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();
    private final List<Runnable> onLeading = new CopyOnWriteArrayList<>();
    private final Duration ttl;
    private final GreenlightConfig.Leader.Election election;
    private volatile Role role = Role.STARTING;
    private volatile String leader;
    private volatile long epoch;
    private volatile String identity = "";
    private volatile boolean stopping;
    private volatile long standbySince;
    private AgroalDataSource pool;
    private volatile SourceLease lease;
    private Thread campaign;
    private volatile CompletableFuture<?> elector;
    private volatile PodRoleLabel label;

    @Inject
    public LeaderElection(GreenlightConfig config, PipelineState state, Instance<KubernetesClient> kubernetes, MeterRegistry registry) {
        this(config, state, kubernetes::get, registry,
                System.getenv("KUBERNETES_SERVICE_HOST") != null ? System.getenv("HOSTNAME") : null);
    }

    /** {@code pod}: the name of this instance's pod, whose role label routes traffic to the leader; null outside Kubernetes. */
    LeaderElection(GreenlightConfig config, PipelineState state, Supplier<KubernetesClient> kubernetes, MeterRegistry registry,
                   String pod) {
        this.config = config;
        this.state = state;
        this.kubernetes = kubernetes;
        this.pod = pod;
        this.registry = registry;
        this.ttl = config.leader().leaseDuration();
        GreenlightConfig.Leader.Election configured = config.leader().election();
        this.election = configured != GreenlightConfig.Leader.Election.AUTO ? configured
                : System.getenv("KUBERNETES_SERVICE_HOST") != null ? GreenlightConfig.Leader.Election.KUBERNETES
                : GreenlightConfig.Leader.Election.DATABASE;
    }

    /** Runs {@code action} when this instance becomes the leader, in the order registered (at start-up). */
    public void whenLeader(Runnable action) {
        onLeading.add(action);
    }

    /** After every start observer registered what leadership starts. */
    void onStart(@Observes @Priority(9000) StartupEvent event) {
        identity = identity();
        gauges.add(Gauge.builder("greenlight.leader", this, e -> e.role == Role.LEADER ? 1 : 0).tag("instance", identity)
                .description("1 on the instance that leads (captures, applies, cuts over), 0 on a standby").register(registry));
        gauges.add(Gauge.builder("greenlight.leader.epoch", this, e -> e.epoch)
                .description("The leader epoch (fencing token) this instance holds; 0 on a standby").register(registry));
        labelPod();
        campaign = new Thread(this::campaign, "greenlight-leader");
        campaign.setDaemon(true);
        campaign.start();
    }

    /** After the pipeline stopped: a clean shutdown frees the lease, so a standby takes over at once. */
    void onStop(@Observes @Priority(9000) ShutdownEvent event) {
        stopping = true;
        if (campaign != null) {
            campaign.interrupt();
        }
        boolean led = role == Role.LEADER;
        if (led) {
            role = Role.STANDBY; // it no longer leads (the pipeline stopped) before another may
        }
        CompletableFuture<?> running = elector;
        if (running != null) {
            running.cancel(true); // releases the Kubernetes Lease (releaseOnCancel)
        }
        if (led && lease != null) {
            try {
                lease.release(identity, epoch);
                LOG.infof("Leader lease released by %s (epoch %d): a standby takes over now", identity, epoch);
            } catch (SQLException e) {
                LOG.warnf("Cannot release the leader lease (%s); a standby takes over when it expires", e.getMessage());
            }
        }
        PodRoleLabel labelled = label;
        if (labelled != null) {
            labelled.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    @PreDestroy
    void removeGauges() {
        gauges.forEach(registry::remove);
    }

    public View view() {
        return new View(role, identity, leader, epoch, election.name().toLowerCase());
    }

    public boolean leading() {
        return role == Role.LEADER;
    }

    /** Who leads, when known. */
    public java.util.Optional<String> leader() {
        return java.util.Optional.ofNullable(leader);
    }

    /** The check of the cutover's source transactions (journal, fence). */
    public Fence sourceFence() {
        SourceLease held = lease;
        if (role != Role.LEADER || held == null) {
            throw new StaleLeaderException("This instance (" + identity + ") is not the leader; " + leaderNamed()
                    + " runs the cutover.");
        }
        return held.fence(epoch, ttl);
    }

    /** Raises the target's epoch to this leader's before apply's first transaction (see {@link TargetEpoch}). */
    public void raiseTargetEpoch(DataSource target, Dialect dialect) throws SQLException {
        new TargetEpoch(target, LeaseSql.of(dialect), config.kafka().topicPrefix()).raise(identity, epoch);
    }

    /** The check every apply transaction runs first. */
    public Fence targetFence(DataSource target, Dialect dialect) {
        return new TargetEpoch(target, LeaseSql.of(dialect), config.kafka().topicPrefix()).fence(epoch, ttl);
    }

    /**
     * A write was refused as stale. When the lease confirms another instance took over, this one
     * exits to come back as a standby; otherwise (the target's row was removed by hand) the failure stands.
     */
    public void refused(Throwable stale) {
        SourceLease held = lease;
        try {
            SourceLease.Holder now = held == null ? null : held.read();
            if (now == null || !now.holder().equals(identity) || now.epoch() != epoch) {
                lost(stale.getMessage());
            }
        } catch (SQLException e) {
            LOG.warnf("Cannot read the leader lease after a refused write (%s); the renewal decides", e.getMessage());
        }
    }

    private String leaderNamed() {
        String l = leader;
        return l == null || l.isEmpty() ? "the leader" : "the leader " + l;
    }

    private void campaign() {
        if (!connect()) {
            return;
        }
        try {
            if (election == GreenlightConfig.Leader.Election.KUBERNETES) {
                runKubernetes();
            } else {
                runDatabase();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The source's lease row, created if missing; retries while the source is unreachable. */
    private boolean connect() {
        boolean warned = false;
        GreenlightConfig.Source src = config.source();
        while (!stopping) {
            try {
                if (pool == null) {
                    pool = DataSources.source(src.url().orElseThrow(), src.username().orElseThrow(), src.password(), 2);
                }
                SourceLease created = new SourceLease(pool, config.source().slot());
                created.create();
                lease = created;
                LOG.infof("Leader election (%s, lease %s) as %s", election.name().toLowerCase(), ttl, identity);
                return true;
            } catch (SQLException | RuntimeException e) {
                if (!warned) {
                    // As a start that cannot reach the source always did: FAILED (liveness DOWN) with the cause.
                    state.fail("startup", "Cannot reach the source to take part in the leader election: " + e.getMessage(),
                            "Check greenlight.source.url, the credentials and that PostgreSQL accepts connections; "
                                    + "Greenlight retries every 2 s.");
                    LOG.warnf("Cannot reach the source to take part in the leader election (%s); retrying every 2 s. "
                            + "Nothing runs until it can.", e.getMessage());
                    warned = true;
                }
                if (!sleep(Duration.ofSeconds(2))) {
                    return false;
                }
            }
        }
        return false;
    }

    private void runDatabase() throws InterruptedException {
        Duration poll = Duration.ofMillis(Math.min(1000, Math.max(100, ttl.toMillis() / 5)));
        boolean warned = false;
        while (!stopping) {
            try {
                OptionalLong won = lease.claimIfExpired(identity, ttl);
                if (won.isPresent()) {
                    lead(won.getAsLong());
                    renew();
                    return;
                }
                standby(lease.read().holder());
                warned = false;
            } catch (SQLException e) {
                if (!warned) {
                    LOG.warnf("Leader election cannot reach the source (%s); retrying", e.getMessage());
                    warned = true;
                }
            }
            if (refuseSecondEmbeddedInstance() || !sleep(poll)) {
                return;
            }
        }
    }

    /** Renews every third of the lease; a renewal the row refuses means another instance took over. */
    private void renew() {
        Duration every = Duration.ofMillis(Math.max(100, ttl.toMillis() / 3));
        long lastRenewed = System.nanoTime();
        boolean warned = false;
        while (!stopping && sleep(every)) {
            try {
                if (!lease.renew(identity, epoch, ttl)) {
                    SourceLease.Holder now = lease.read();
                    lost("the lease on the source is now " + now.holder() + "'s (epoch " + now.epoch() + ")");
                    return;
                }
                lastRenewed = System.nanoTime();
                warned = false;
            } catch (SQLException e) {
                if ("42P01".equals(e.getSQLState())) { // undefined table: the source cleanup removed the lease with the slot
                    LOG.infof("The leader lease is gone from the source (cleaned up with the slot); this instance stops renewing it");
                    return;
                }
                if (!warned && System.nanoTime() - lastRenewed > ttl.toNanos()) {
                    LOG.errorf("The leader lease could not be renewed for %s (%s): a standby may take over; this instance's "
                            + "writes are then refused by the fencing token.", ttl, e.getMessage());
                    warned = true;
                }
            }
        }
    }

    private void runKubernetes() throws InterruptedException {
        KubernetesClient client = kubernetes.get();
        String namespace = client.getNamespace() != null ? client.getNamespace() : "default";
        String name = config.leader().leaseName();
        elector = elector(client, namespace, name, identity, ttl, this::startedLeadingInKubernetes,
                () -> lost("the Kubernetes Lease " + namespace + "/" + name + " was not renewed in time"),
                newLeader -> {
                    if (!newLeader.equals(identity)) {
                        standby(newLeader);
                    }
                }).start();
        LOG.infof("Campaigning for Kubernetes Lease %s/%s", namespace, name);
        while (!stopping && role != Role.LEADER) {
            if (refuseSecondEmbeddedInstance() || !sleep(Duration.ofSeconds(1))) {
                return;
            }
        }
    }

    /**
     * fabric8's leader elector on the Lease {@code namespace/name}: renewed within two thirds of
     * {@code ttl}, retried every seventh; the Lease is released when the elector is cancelled.
     */
    static io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector elector(KubernetesClient client, String namespace,
            String name, String identity, Duration ttl, Runnable onStart, Runnable onStop, java.util.function.Consumer<String> onNewLeader) {
        var electionConfig = new LeaderElectionConfigBuilder().withName(name).withLeaseDuration(ttl)
                .withRenewDeadline(Duration.ofMillis(ttl.toMillis() * 2 / 3))
                .withRetryPeriod(Duration.ofMillis(Math.max(200, ttl.toMillis() / 7)))
                .withLock(new LeaseLock(namespace, name, identity))
                .withLeaderCallbacks(new LeaderCallbacks(onStart, onStop, onNewLeader))
                .withReleaseOnCancel().build();
        return client.leaderElector().withConfig(electionConfig).build();
    }

    /** The Lease is ours: take the next epoch on the source (the fencing token) whoever held it. */
    private void startedLeadingInKubernetes() {
        while (!stopping) {
            try {
                lead(lease.claim(identity, ttl));
                return;
            } catch (SQLException e) {
                LOG.warnf("Leading, but the epoch cannot be taken on the source yet (%s); retrying", e.getMessage());
                if (!sleep(Duration.ofSeconds(1))) {
                    return;
                }
            }
        }
    }

    /**
     * In a pod: the label starts at standby (a restarted container may still carry the leader value
     * of the process before), so the Services route to this pod only once it leads.
     */
    private void labelPod() {
        if (pod == null || pod.isEmpty()) {
            return;
        }
        try {
            KubernetesClient client = kubernetes.get();
            label = new PodRoleLabel(client, client.getNamespace() != null ? client.getNamespace() : "default", pod, 5000);
            label.want(false);
        } catch (RuntimeException e) {
            LOG.warnf("Cannot reach the Kubernetes API to label pod %s with its role (%s): the Services that select the "
                    + "leader do not route to this instance", pod, e.getMessage());
        }
    }

    private void lead(long won) {
        epoch = won;
        leader = identity;
        role = Role.LEADER;
        PodRoleLabel labelled = label;
        if (labelled != null) {
            labelled.want(true);
        }
        LOG.infof("This instance (%s) leads with epoch %d: capture, apply and cutover start here", identity, won);
        for (Runnable action : onLeading) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Starting as the leader failed: %s", e.getMessage());
            }
        }
    }

    private void standby(String holder) {
        if (role != Role.STANDBY || !holder.equals(leader)) {
            LOG.infof("Standby: %s leads; this instance (%s) takes over when its lease expires", holder, identity);
            standbySince = System.nanoTime();
            PodRoleLabel labelled = label;
            if (labelled != null) {
                labelled.want(false);
            }
        }
        leader = holder;
        role = Role.STANDBY;
    }

    /**
     * With the embedded broker a standby cannot take over (the changes in Kafka live on the
     * leader's disk): a second instance that sees a live leader for longer than a lease refuses.
     */
    private boolean refuseSecondEmbeddedInstance() {
        // Two leases and some: a crashed predecessor's lease expires within one, a Kubernetes Lease is retried after it.
        if (config.kafka().bootstrapServers().isPresent() || role != Role.STANDBY
                || System.nanoTime() - standbySince < ttl.multipliedBy(2).plusSeconds(5).toNanos()) {
            return false;
        }
        role = Role.REFUSED;
        String reason = "Another Greenlight instance (" + leader + ") is active against this source and keeps renewing "
                + "its lease; with the embedded Kafka broker only one instance can run.";
        state.fail("leader", reason, "Stop this instance, or for a hot standby set greenlight.kafka.bootstrap-servers to an "
                + "external Kafka cluster on every instance (docs/deploy.md, high availability).");
        LOG.errorf("%s Stop this instance, or for a hot standby set greenlight.kafka.bootstrap-servers to an external "
                + "Kafka cluster on every instance.", reason);
        CompletableFuture<?> running = elector;
        if (running != null) {
            running.cancel(true);
        }
        return true;
    }

    private void lost(String why) {
        if (stopping) {
            return;
        }
        role = Role.STANDBY;
        LOG.errorf("This instance (%s, epoch %d) no longer leads: %s. It exits now (status %d) and comes back as a standby; "
                + "its writes since were refused by the fencing token.", identity, epoch, why, LOST_LEASE_EXIT);
        System.out.flush();
        Runtime.getRuntime().halt(LOST_LEASE_EXIT);
    }

    private String identity() {
        if (config.leader().identity().isPresent()) {
            return config.leader().identity().get();
        }
        String pod = System.getenv("HOSTNAME");
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null && pod != null) {
            return pod;
        }
        String fresh = host() + "-" + UUID.randomUUID().toString().substring(0, 8);
        if (config.kafka().bootstrapServers().isPresent()) {
            return fresh;
        }
        // Embedded broker: the same data-dir is the same instance; its restart takes its own lease back at once.
        Path file = Path.of(config.dataDir(), "instance-id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, fresh);
        } catch (IOException e) {
            LOG.warnf("Cannot keep this instance's id in %s (%s); a restart waits for the lease to expire", file, e.getMessage());
        }
        return fresh;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "greenlight";
        }
    }

    private static boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
