package io.greenlight.capture;

import io.agroal.api.AgroalDataSource;
import io.greenlight.DataSources;
import io.greenlight.lag.LagTracker;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One heartbeat writer for both directions, parameterised by the end it writes (the real, shared
 * servers): the forward source's row carries the server's clock and a beat returns the WAL
 * position; a new primary's row (MariaDB here) carries our clock, which reverse lag counts with.
 */
class HeartbeatWriterTest {

    private final TestServers servers = TestServers.get();

    @Test
    void aBeatOnTheSourceReturnsTheWalPositionAfterItAndMeasuresTheClockSkew() throws Exception {
        try (Connection admin = servers.postgres.connect("postgres")) {
            Sql.exec(admin, "DROP DATABASE IF EXISTS heartbeat_source WITH (FORCE)", "CREATE DATABASE heartbeat_source");
        }
        LagTracker lag = new LagTracker();
        try (AgroalDataSource source = DataSources.source(servers.postgres.jdbcUrl("heartbeat_source"), "postgres", Optional.empty(), 2);
             HeartbeatWriter writer = new HeartbeatWriter(source, lag)) {
            try (Connection c = source.getConnection()) {
                HeartbeatWriter.createTable(c);
            }
            String lsn = writer.beat("cutover-1");
            assertTrue(lsn.matches("[0-9A-F]+/[0-9A-F]+"), lsn);
            assertTrue(Math.abs(lag.skewSeconds()) < 5, "same machine, same clock: " + lag.skewSeconds());
            try (Connection c = source.getConnection()) {
                assertEquals(List.of(List.of("cutover-1")), Sql.rows(c, "SELECT marker FROM greenlight.greenlight_heartbeat"));
            }
        }
    }

    @Test
    void aBeatOnAMariaDbNewPrimaryCarriesOurClockAndItsMarker() throws Exception {
        try (Connection root = servers.mariadb.connect("")) {
            Sql.exec(root, "DROP DATABASE IF EXISTS heartbeat_primary", "CREATE DATABASE heartbeat_primary");
        }
        try (AgroalDataSource primary = DataSources.target(servers.mariadb.jdbcUrl("heartbeat_primary"), "root", Optional.empty(), 2);
             HeartbeatWriter writer = new HeartbeatWriter(primary, HeartbeatTable.PRIMARY_MYSQL, new LagTracker())) {
            try (Connection c = primary.getConnection()) {
                HeartbeatTable.PRIMARY_MYSQL.create(c);
            }
            long before = System.currentTimeMillis();
            assertNull(writer.beat("rollback-1"), "a binlog position is not what a beat returns");
            long after = System.currentTimeMillis();
            try (Connection c = primary.getConnection()) {
                List<String> row = Sql.rows(c, "SELECT beat_ms, marker FROM " + HeartbeatTable.REVERSE).get(0);
                long beat = Long.parseLong(row.get(0));
                assertTrue(beat >= before && beat <= after, beat + " not within [" + before + ", " + after + "]");
                assertEquals("rollback-1", row.get(1));
            }
        }
    }

    @Test
    void aMarkerThatCannotBeWrittenThrowsNamingTheEnd() throws Exception {
        try (Connection root = servers.mariadb.connect("")) {
            Sql.exec(root, "DROP DATABASE IF EXISTS heartbeat_missing", "CREATE DATABASE heartbeat_missing");
        }
        try (AgroalDataSource primary = DataSources.target(servers.mariadb.jdbcUrl("heartbeat_missing"), "root", Optional.empty(), 2);
             HeartbeatWriter writer = new HeartbeatWriter(primary, HeartbeatTable.PRIMARY_MYSQL, new LagTracker())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> writer.beat("rollback-2"));
            assertTrue(e.getMessage().startsWith("Writing the drain marker to the new primary failed: "), e.getMessage());
            assertNull(writer.beat(null), "a periodic beat that fails is logged, not thrown");
        }
    }
}
