package io.greenlight.api;

import io.greenlight.leader.LeaderElection;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;
import java.util.Set;

/**
 * A standby changes nothing: a mutating call (after the token check) answers 503 naming the
 * leader, where the caller should send it. Reads, health and metrics answer everywhere.
 */
public class StandbyFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final LeaderElection election;

    public StandbyFilter(LeaderElection election) {
        this.election = election;
    }

    @ServerRequestFilter(preMatching = true, priority = jakarta.ws.rs.Priorities.USER + 100)
    public Optional<Response> leaderOnly(ContainerRequestContext request) {
        if (READS.contains(request.getMethod()) || request.getUriInfo().getPath().startsWith("/q/") || election.leading()) {
            return Optional.empty();
        }
        LeaderElection.View view = election.view();
        String leader = view.leader() == null || view.leader().isEmpty() ? "not known yet" : view.leader();
        return Optional.of(Response.fromResponse(ErrorMappers.json(503, "Standby",
                        "This instance (" + view.instance() + ") is a " + view.role() + "; the leader is " + leader
                                + ". Send " + request.getMethod() + " " + request.getUriInfo().getPath()
                                + " to the leader (the Services greenlight and greenlight-admin route to the leader's pod)."))
                .header("Retry-After", "5").build());
    }
}
