package io.greenlight.reverse;

import io.greenlight.testing.EngineEvents;

import io.agroal.api.AgroalDataSource;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.greenlight.DataSources;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reverse replication's feed: what the new primary's capture delivers is applied to the old source
 * (the real, shared PostgreSQL) by forward's batch unit, with the stream's position and the
 * transaction's id in the same transaction, and counted by forward's lag tracker.
 */
class ReverseFeedTest {

    private static final String DATABASE = "reverse_feed";
    private static final String STREAM = "greenlight-reverse-feed";
    private static final Schema ROW = SchemaBuilder.struct().name("primary.public.rf_items.Value").optional()
            .field("id", Schema.INT32_SCHEMA).field("v", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema BEAT = SchemaBuilder.struct().name("primary.public.greenlight_reverse_heartbeat.Value").optional()
            .field("id", Schema.INT32_SCHEMA).field("beat_ms", Schema.INT64_SCHEMA).field("marker", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA).build();

    private final TestServers servers = TestServers.get();
    private final LagTracker lag = new LagTracker();
    private final List<Long> ownTransactions = new CopyOnWriteArrayList<>();
    private AgroalDataSource oldSource;
    private ReverseFeed feed;

    @BeforeEach
    void oldSourceWithOneTableAndASeededStream() throws Exception {
        try (Connection admin = servers.postgres.connect("postgres")) {
            Sql.exec(admin, "DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)", "CREATE DATABASE " + DATABASE);
        }
        Map<TableId, SourceTable> tables;
        try (Connection c = servers.postgres.connect(DATABASE)) {
            Sql.exec(c, "CREATE TABLE rf_items (id int PRIMARY KEY, v text)");
            ReverseOffsets.seed(c, STREAM, "cutover-1", new ReverseStart("LSN 0/1", Map.of("lsn", 1L)));
            TableId items = new TableId("public", "rf_items");
            tables = Map.of(items, new SourceCatalog(c).table(items).orElseThrow());
        }
        oldSource = DataSources.sourceInUtc(servers.postgres.jdbcUrl(DATABASE), "postgres", Optional.empty(), 2);
        PgOutputCapture capture = new PgOutputCapture(null, STREAM, "rf_slot", "rf_publication");
        feed = new ReverseFeed(STREAM, oldSource, capture, tables, lag, new PipelineMeters(new SimpleMeterRegistry(), lag),
                ownTransactions::add, offset -> { });
        lag.reset(Map.of());
    }

    @AfterEach
    void close() {
        feed.close();
        oldSource.close();
    }

    @Test
    void aBatchIsCommittedWithTheStreamsPositionAndTheTransactionsIdAndItsMarkerCountsAsApplied() throws Exception {
        Committer committer = new Committer();
        feed.handleBatch(List.of(insert(1, "a", 10), insert(2, "b", 11), beat("rollback-1", 12)), committer);

        try (Connection c = servers.postgres.connect(DATABASE)) {
            assertEquals(List.of(List.of("1", "a"), List.of("2", "b")), Sql.rows(c, "SELECT id, v FROM rf_items ORDER BY id"));
            assertEquals("{\"lsn\":12}", Sql.rows(c, "SELECT source_offset FROM " + ReverseOffsets.TABLE + " WHERE stream = ?", STREAM)
                    .get(0).get(0), "the stream's position is the batch's last offset");
            assertEquals(List.of(List.of(String.valueOf(ownTransactions.get(0)))),
                    Sql.rows(c, "SELECT xid FROM " + ReverseTransactions.TABLE), "the transaction is recorded with the changes");
        }
        assertEquals(1, ownTransactions.size(), "forward's gate is told the transaction");
        assertEquals(3, committer.processed.size(), "every event is marked processed");
        assertTrue(committer.finished, "and the batch finished");
        assertTrue(lag.drainTarget("rollback-1").map(lag::appliedThrough).orElse(false), "the marker is applied");
    }

    @Test
    void aBatchTheOldSourceRefusesCommitsNothingAndNamesTheFirstChangeAndLeavesItsMarkerUnapplied() throws Exception {
        try (Connection c = servers.postgres.connect(DATABASE)) {
            Sql.exec(c, "DELETE FROM " + ReverseOffsets.TABLE); // POST /complete removed the stream meanwhile
        }
        Committer committer = new Committer();
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> feed.handleBatch(List.of(insert(3, "c", 20), beat("rollback-2", 21)), committer));

        assertTrue(refused.getMessage().startsWith("Reverse apply could not write 1 change(s) from the new primary into the old "
                + "source (first change: table public.rf_items, WAL at 20): "), refused.getMessage());
        assertTrue(refused.getMessage().contains("has no row in greenlight.greenlight_reverse"), refused.getMessage());
        try (Connection c = servers.postgres.connect(DATABASE)) {
            assertEquals(0, Sql.count(c, "rf_items"), "nothing of the batch is committed");
        }
        assertEquals(List.of(), committer.processed, "the engine is not told the batch is done");
        assertFalse(lag.drainTarget("rollback-2").map(lag::appliedThrough).orElse(false), "the marker is not applied");
    }

    @Test
    void aConnectionToTheOldSourceLostMidBatchIsRetriedAndTheBatchLandsOnce() throws Exception {
        Committer committer = new Committer();
        CompletableFuture<Void> written;
        try (Connection locker = servers.postgres.connect(DATABASE); Connection admin = servers.postgres.connect(DATABASE)) {
            locker.setAutoCommit(false);
            Sql.exec(locker, "LOCK TABLE rf_items IN ACCESS EXCLUSIVE MODE");
            written = CompletableFuture.runAsync(() -> {
                try {
                    feed.handleBatch(List.of(insert(4, "d", 30), insert(5, "e", 31)), committer);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            String waiting = "SELECT pid FROM pg_stat_activity WHERE datname = '" + DATABASE + "' AND application_name = 'greenlight' "
                    + "AND wait_event_type = 'Lock'";
            await().atMost(Duration.ofSeconds(60)).until(() -> !Sql.rows(admin, waiting).isEmpty());
            Sql.rows(admin, "SELECT pg_terminate_backend(pid) FROM (" + waiting + ") w");
            locker.rollback();
        }
        written.get(120, TimeUnit.SECONDS); // retried on a new connection, not thrown

        try (Connection c = servers.postgres.connect(DATABASE)) {
            assertEquals(List.of(List.of("4", "d"), List.of("5", "e")), Sql.rows(c, "SELECT id, v FROM rf_items ORDER BY id"));
            assertEquals("{\"lsn\":31}", Sql.rows(c, "SELECT source_offset FROM " + ReverseOffsets.TABLE).get(0).get(0));
            assertEquals(1, Sql.count(c, ReverseTransactions.TABLE), "one transaction committed");
        }
        assertEquals(2, committer.processed.size());
    }

    private static ChangeEvent<SourceRecord, SourceRecord> insert(int id, String v, long lsn) {
        Struct row = new Struct(ROW).put("id", id).put("v", v);
        return event("rf_items", ROW, row, lsn);
    }

    private static ChangeEvent<SourceRecord, SourceRecord> beat(String marker, long lsn) {
        Struct row = new Struct(BEAT).put("id", 1).put("beat_ms", System.currentTimeMillis()).put("marker", marker);
        return event("greenlight_reverse_heartbeat", BEAT, row, lsn);
    }

    private static ChangeEvent<SourceRecord, SourceRecord> event(String table, Schema rowSchema, Struct after, long lsn) {
        Schema envelope = SchemaBuilder.struct().name("primary.public." + table + ".Envelope")
                .field("before", rowSchema).field("after", rowSchema).field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", table).put("ts_ms", System.currentTimeMillis())
                .put("lsn", lsn);
        Struct value = new Struct(envelope).put("after", after).put("source", source).put("op", "c");
        SourceRecord record = new SourceRecord(Map.of("server", STREAM), Map.of("lsn", lsn), "primary.public." + table, envelope, value);
        return EngineEvents.of(record);
    }

    /** Records what the engine is told. */
    private static final class Committer implements DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> {
        final List<ChangeEvent<SourceRecord, SourceRecord>> processed = new ArrayList<>();
        boolean finished;

        @Override
        public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> record) {
            processed.add(record);
        }

        @Override
        public void markBatchFinished() {
            finished = true;
        }

        @Override
        public void markProcessed(ChangeEvent<SourceRecord, SourceRecord> record, DebeziumEngine.Offsets offsets) {
            processed.add(record);
        }

        @Override
        public DebeziumEngine.Offsets buildOffsets() {
            throw new UnsupportedOperationException("the feed does not build offsets");
        }
    }
}
