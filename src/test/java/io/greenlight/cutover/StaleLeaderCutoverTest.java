package io.greenlight.cutover;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.greenlight.DataSources;
import io.greenlight.leader.Fence;
import io.greenlight.leader.SourceLease;
import io.greenlight.leader.StaleLeaderException;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fencing token on the source: an instance whose epoch was taken over neither records a
 * cutover transition in the source's journal nor runs a fence's statements (raise or lift).
 */
class StaleLeaderCutoverTest {

    @Test
    void aStaleLeaderRecordsNoTransitionAndRunsNoFenceStatement() throws Exception {
        TestServers servers = TestServers.get();
        servers.postgres.createDatabase("stale_cutover");
        try (AgroalDataSource source = DataSources.pool(servers.postgres.jdbcUrl("stale_cutover"), "postgres", Optional.empty(), 4,
                org.postgresql.Driver.class, new PostgreSQLExceptionSorter())) {
            SourceLease lease = new SourceLease(source, "greenlight");
            lease.create();
            long old = lease.claimIfExpired("a", Duration.ofSeconds(30)).orElseThrow();
            Fence stale = lease.fence(old, Duration.ofSeconds(30));
            SourceJournal journal = new SourceJournal(new ObjectMapper().registerModule(new JavaTimeModule()), () -> stale);
            CutoverRecord armed = CutoverRecord.armed("c1", CutoverOptions.none().withDefaults(2));
            try (Connection c = source.getConnection()) {
                journal.createTable(c);
                journal.save(c, armed); // while a leads, its transitions are recorded
            }

            lease.claim("b", Duration.ofSeconds(30)); // b took over
            try (Connection c = source.getConnection()) {
                StaleLeaderException refused = assertThrows(StaleLeaderException.class,
                        () -> journal.save(c, armed.to(CutoverState.FAILED, "a's late failure")));
                assertTrue(refused.getMessage().contains("b took over with epoch " + (old + 1)), refused.getMessage());
                assertEquals(List.of(List.of("ARMED")), Sql.rows(c, "SELECT state FROM greenlight.greenlight_cutover"),
                        "the journal keeps the transition the leader recorded");

                assertThrows(StaleLeaderException.class, () -> new SourceFence(c, stale).lift(List.of("CREATE TABLE lifted (x int)")));
                assertThrows(StaleLeaderException.class, () -> new SourceFence(c, stale).raise(
                        CutoverOptions.none().withDefaults(2).fence(), List.of()));
                assertEquals(0, Sql.count(c, "pg_tables WHERE tablename = 'lifted'"), "the stale lift ran nothing");
                assertTrue(c.getAutoCommit(), "the session is left as it was found");
            }
        }
    }
}
