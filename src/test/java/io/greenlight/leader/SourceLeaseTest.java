package io.greenlight.leader;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.greenlight.DataSources;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leader lease on the source: one holder at a time, expiry by the source's clock, a growing epoch. */
class SourceLeaseTest {

    @Test
    void aLeaseHeldByAnotherIsTakenOnlyOnceItExpiredAndTheFormerHolderCannotRenewIt() throws Exception {
        TestServers servers = TestServers.get();
        servers.postgres.createDatabase("lease_expiry");
        try (AgroalDataSource source = DataSources.pool(servers.postgres.jdbcUrl("lease_expiry"), "postgres", Optional.empty(), 2,
                org.postgresql.Driver.class, new PostgreSQLExceptionSorter())) {
            SourceLease lease = new SourceLease(source, "greenlight");
            lease.create();
            lease.create(); // a second instance's start keeps the row
            long first = lease.claimIfExpired("a", Duration.ofSeconds(2)).orElseThrow();
            assertEquals(OptionalLong.empty(), lease.claimIfExpired("b", Duration.ofSeconds(2)), "a holds it");
            assertTrue(lease.renew("a", first, Duration.ofSeconds(2)));
            long second = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> lease.claimIfExpired("b", Duration.ofSeconds(30)), OptionalLong::isPresent).getAsLong();
            assertEquals(first + 1, second, "b took the expired lease with the next epoch");
            assertFalse(lease.renew("a", first, Duration.ofSeconds(2)), "a's renewal fails: it lost the lease");
            assertEquals("b", lease.read().holder());
            lease.release("b", second);
            assertEquals(second + 1, lease.claimIfExpired("c", Duration.ofSeconds(30)).orElseThrow(), "a released lease is free at once");
        }
    }
}
