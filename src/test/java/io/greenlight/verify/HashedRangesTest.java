package io.greenlight.verify;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Verification by key ranges hashed inside the databases, against each target engine: equal
 * tables are equal by their hashes, and a single value that differs in any type family is found,
 * with its key and column, exactly as the row-by-row comparison reports it. A hash that hides a
 * difference is the defect these tests are here to catch. Target rows hold what the pipeline
 * writes (json as the source's jsonb text).
 */
abstract class HashedRangesTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    /** Every type family that has one canonical text in SQL on both engines. */
    private static final String FACTS_PG = """
            CREATE TABLE facts (id bigint PRIMARY KEY, n int, amount numeric(12,4), exact numeric, price money,
              flag boolean, name text, label varchar(40), code char(5), payload bytea, born date, at time(6),
              happened timestamp(6), happened_tz timestamptz, doc jsonb, ref uuid)""";
    static final String FACTS_PG_ROWS = """
            INSERT INTO facts SELECT g, g * 3, g * 1.5, g / 8.0, (g * 1.25)::numeric::money, g %% 2 = 0, 'name ' || g,
              'l' || g, 'c' || (g %% 100), decode(lpad(to_hex(g), 8, '0'), 'hex'), date '2024-01-01' + g,
              time '10:00:00.5' + g * interval '1 second', timestamp '2024-01-01 00:00:00.123456' + g * interval '1 minute',
              timestamptz '2024-03-31 01:30:00.5+01' + g * interval '1 hour', jsonb_build_object('a', g, 'b', 'x' || g),
              md5(g::text)::uuid FROM generate_series(1, %d) g""";
    static final String FACTS_NULLS = "UPDATE facts SET amount = NULL, flag = NULL, name = NULL, payload = NULL, "
            + "happened_tz = NULL, doc = NULL, born = NULL WHERE id % 7 = 0";

    protected final TargetEngine engine;

    HashedRangesTest(TargetEngine engine) {
        this.engine = engine;
    }

    /** The target's dialect (its DDL creates the target tables). */
    abstract Dialect dialect();

    /** Whether floats are hashed in the databases (PostgreSQL target) or compared by streaming rows (MySQL/MariaDB). */
    abstract boolean hashesFloats();

    /** Statements that load {@code rows} rows of FACTS_PG_ROWS into the target's facts table, as the pipeline writes them. */
    abstract List<String> targetRows(int rows);

    /** On the target: one value changed per type family (keys in {@link #PLANTED}), row 100 deleted, row 5000 added. */
    List<String> plantedDifferences() {
        List<String> planted = new ArrayList<>(List.of(
                "DELETE FROM facts WHERE id = 100",
                "INSERT INTO facts (id, n) VALUES (5000, 1)",
                "UPDATE facts SET n = n + 1 WHERE id = 10",
                "UPDATE facts SET amount = amount + 0.0001 WHERE id = 11",
                "UPDATE facts SET exact = exact + 0.000001 WHERE id = 12",
                "UPDATE facts SET flag = NOT flag WHERE id = 15",
                "UPDATE facts SET name = 'name 16 ' WHERE id = 16",                 // a trailing space
                "UPDATE facts SET label = 'L17' WHERE id = 17",                     // case
                "UPDATE facts SET code = 'zz' WHERE id = 18",
                "UPDATE facts SET doc = '{\"a\": 25, \"b\": \"x26\"}' WHERE id = 25",
                "UPDATE facts SET ref = '00000000-0000-0000-0000-000000000000' WHERE id = 26",
                "UPDATE facts SET name = NULL WHERE id = 27",                       // a value against NULL
                "UPDATE facts SET label = '' WHERE id = 29",                        // empty text against a value
                "UPDATE facts SET name = '' WHERE id = 35"));                       // empty text against NULL
        planted.addAll(enginePlantedDifferences());
        return planted;
    }

    /** Price +0.01, payload 000000ff, born +1 day, at and happened +1 µs, happened_tz +1 hour (a time-zone shift). */
    abstract List<String> enginePlantedDifferences();

    static final Map<String, String> PLANTED = Map.ofEntries(
            Map.entry("id=100", "missing"), Map.entry("id=5000", "extra"),
            Map.entry("id=10", "differing [n]"), Map.entry("id=11", "differing [amount]"),
            Map.entry("id=12", "differing [exact]"), Map.entry("id=13", "differing [price]"),
            Map.entry("id=15", "differing [flag]"), Map.entry("id=16", "differing [name]"),
            Map.entry("id=17", "differing [label]"), Map.entry("id=18", "differing [code]"),
            Map.entry("id=19", "differing [payload]"), Map.entry("id=20", "differing [born]"),
            Map.entry("id=22", "differing [at]"), Map.entry("id=23", "differing [happened]"),
            Map.entry("id=24", "differing [happened_tz]"), Map.entry("id=25", "differing [doc]"),
            Map.entry("id=26", "differing [ref]"), Map.entry("id=27", "differing [name]"),
            Map.entry("id=29", "differing [label]"), Map.entry("id=35", "differing [name]"),
            Map.entry("id=33", "differing [name, label]"));

    /** A source and a target database, the target's tables from the dialect's own DDL. */
    record Pair(DataSource source, DataSource target, TargetEngine engine, String name, Dialect dialect) {
        Connection src() throws SQLException {
            return source.getConnection();
        }

        Connection tgt() throws SQLException {
            return engine.connect(name);
        }

        SourceTable table(String table) throws SQLException {
            try (Connection c = src()) {
                return new SourceCatalog(c).table(new TableId("public", table)).orElseThrow();
            }
        }

        void createTargetTable(String table) throws SQLException {
            try (Connection t = tgt()) {
                Sql.exec(t, dialect.createTable(table(table)));
            }
        }

        TableVerdict verify(VerifyOptions options, String table) throws SQLException {
            return VerificationEngine.run(source, target, List.of(table(table)), options, CatchUp.NONE, new VerifyProgress(),
                    v -> { }).tables().get(0);
        }

        TableVerdict verify(int chunkSize, String table) throws SQLException {
            return verify(VerifyOptions.DEFAULTS.withChunkSize(chunkSize), table);
        }

        /** Whether the table is compared by hashes in the databases (else by streaming rows). */
        Optional<String> streamedBecause(String table) throws SQLException {
            return new RangeSql(new TableQueries(table(table), dialect)).unsupported();
        }
    }

    Pair pair() throws SQLException {
        String name = "hashed_" + engine.name().toLowerCase() + "_" + DATABASES.incrementAndGet();
        TestServers.get().postgres.createDatabase(name);
        engine.createDatabase(name);
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(TestServers.get().postgres.jdbcUrl(name));
        pg.setUser("postgres");
        return new Pair(pg, targetDataSource(name), engine, name, dialect());
    }

    abstract DataSource targetDataSource(String database);

    Pair facts(int rows) throws SQLException {
        Pair p = pair();
        try (Connection s = p.src()) {
            Sql.exec(s, FACTS_PG, FACTS_PG_ROWS.formatted(rows), FACTS_NULLS);
        }
        p.createTargetTable("facts");
        try (Connection t = p.tgt()) {
            Sql.exec(t, targetRows(rows).toArray(String[]::new));
            Sql.exec(t, FACTS_NULLS);
        }
        return p;
    }

    static Map<String, String> samples(TableVerdict verdict) {
        Map<String, String> found = new TreeMap<>();
        verdict.samples().forEach(s -> found.put(s.key(), s.kind() + (s.columns().isEmpty() ? "" : " " + s.columns())));
        return found;
    }

    @Test
    void identicalRowsOfEveryHashableTypeFamilyAreEqualByTheirHashes() throws Exception {
        Pair p = facts(1000);
        assertEquals(Optional.empty(), p.streamedBecause("facts"));
        for (int chunk : new int[]{1, 97, 10_000}) {
            VerifyProgress progress = new VerifyProgress();
            VerificationResult result = VerificationEngine.run(p.source(), p.target(), List.of(p.table("facts")),
                    VerifyOptions.DEFAULTS.withChunkSize(chunk), CatchUp.NONE, progress, v -> { });
            TableVerdict v = result.tables().get(0);
            assertTrue(v.matches(), "chunk " + chunk + ": " + v.detail());
            assertEquals(1000, v.sourceRows());
            assertEquals(1000, v.targetRows());
            assertEquals(1000, progress.rowsCompared(), "chunk " + chunk);
        }
    }

    @Test
    void aSingleDifferingValueOfEachTypeFamilyIsFoundWithItsKeyAndColumn() throws Exception {
        Pair p = facts(600);
        try (Connection s = p.src(); Connection t = p.tgt()) {
            // Texts that read alike joined: a|b + c against a + b|c.
            Sql.exec(s, "UPDATE facts SET name = 'a|b', label = 'c' WHERE id = 33");
            Sql.exec(t, "UPDATE facts SET name = 'a', label = 'b|c' WHERE id = 33");
            Sql.exec(t, plantedDifferences().toArray(String[]::new));
        }
        assertEquals(Optional.empty(), p.streamedBecause("facts"));
        for (int chunk : new int[]{1, 50, 10_000}) {
            for (int ranges : new int[]{1, 4}) {
                TableVerdict v = p.verify(VerifyOptions.DEFAULTS.withChunkSize(chunk).withRangeParallelism(ranges), "facts");
                String label = "chunk " + chunk + ", " + ranges + " range(s) at a time: " + v.detail();
                assertEquals(new TreeMap<>(PLANTED), samples(v), label);
                assertEquals(1, v.missingRows(), label);
                assertEquals(1, v.extraRows(), label);
                assertEquals(PLANTED.size() - 2, v.differingRows(), label);
                assertEquals(600, v.sourceRows(), label);
                assertEquals(600, v.targetRows(), label);
            }
        }
    }

    @Test
    void samplesFollowKeyOrderWhateverOrderRangesFinishIn() throws Exception {
        Pair p = facts(400);
        try (Connection t = p.tgt()) {
            Sql.exec(t, "UPDATE facts SET label = 'x' WHERE id > 100");
        }
        TableVerdict v = p.verify(VerifyOptions.DEFAULTS.withChunkSize(10).withRangeParallelism(4), "facts");
        assertEquals(300, v.differingRows(), v.detail());
        List<String> keys = v.samples().stream().map(RowSample::key).toList();
        List<String> expected = new ArrayList<>();
        for (int id = 101; expected.size() < VerifyOptions.DEFAULTS.sampleSize(); id++) {
            expected.add("id=" + id);
        }
        assertEquals(expected, keys);
    }

    @Test
    void jsonWrittenWithOtherKeyOrderAndSpacingIsEqual() throws Exception {
        Pair p = facts(50);
        try (Connection t = p.tgt()) {
            Sql.exec(t, "UPDATE facts SET doc = '{\"b\":\"x31\",   \"a\":31.0}' WHERE id = 31");
        }
        TableVerdict v = p.verify(10, "facts");
        assertTrue(v.matches(), v.detail());
    }

    @Test
    void compositeIntegerKeysAreCutIntoTheSameRangesOnBothEngines() throws Exception {
        Pair p = pair();
        String rows = "(1, 1, 'a'), (1, 2, 'b'), (1, 10, 'c'), (2, -5, 'd'), (2, 0, 'e'), (3, 7, 'f'), (10, 1, 'g'), (-1, 4, 'h')";
        try (Connection s = p.src()) {
            Sql.exec(s, "CREATE TABLE cells (r int, c int, v text, PRIMARY KEY (r, c))", "INSERT INTO cells VALUES " + rows);
        }
        p.createTargetTable("cells");
        try (Connection t = p.tgt()) {
            Sql.exec(t, "INSERT INTO cells VALUES " + rows);
        }
        assertEquals(Optional.empty(), p.streamedBecause("cells"));
        assertTrue(p.verify(3, "cells").matches());
        try (Connection t = p.tgt()) {
            Sql.exec(t, "UPDATE cells SET v = 'z' WHERE r = 2 AND c = 0", "DELETE FROM cells WHERE r = 10",
                    "INSERT INTO cells VALUES (1, 3, 'new')");
        }
        for (int chunk : new int[]{1, 3, 100}) {
            TableVerdict v = p.verify(chunk, "cells");
            assertEquals(Map.of("(r=2, c=0)", "differing [v]", "(r=10, c=1)", "missing", "(r=1, c=3)", "extra"), samples(v),
                    "chunk " + chunk);
        }
    }

    @Test
    void floatsDifferingInTheirLastBitAreFound() throws Exception {
        Pair p = pair();
        try (Connection s = p.src()) {
            Sql.exec(s, "CREATE TABLE measures (id int PRIMARY KEY, ratio float8, weight float4)",
                    "INSERT INTO measures VALUES (1, 0.3, 1.5), (2, 0.1, 0.25), (3, 1e300, 3.4e38)");
        }
        p.createTargetTable("measures");
        try (Connection t = p.tgt()) {
            Sql.exec(t, "INSERT INTO measures VALUES (1, 0.30000000000000004, 1.5), (2, 0.1, 0.25), (3, 1e300, 3.4e38)");
        }
        assertEquals(hashesFloats(), p.streamedBecause("measures").isEmpty(), String.valueOf(p.streamedBecause("measures")));
        TableVerdict v = p.verify(2, "measures");
        assertEquals(Map.of("id=1", "differing [ratio]"), samples(v), v.detail());
    }

    /**
     * Resume within a table: a comparison given a checkpoint (every key up to 300 compared, with
     * its counts and the mismatch found there) compares only the rows after it, and its verdict
     * holds the checkpoint's counts and mismatch plus what it found itself.
     */
    @Test
    void aComparisonContinuedFromACheckpointComparesOnlyTheRowsAfterIt() throws Exception {
        Pair p = facts(600);
        try (Connection t = p.tgt()) {
            Sql.exec(t, "UPDATE facts SET label = 'before' WHERE id = 200");
        }
        List<TableCheckpoint> reported = new ArrayList<>();
        Checkpoints recording = new Checkpoints(Map.of(), reported::add, java.time.Duration.ZERO);
        VerifyOptions options = VerifyOptions.DEFAULTS.withChunkSize(100).withRangeParallelism(1);
        VerificationEngine.run(p.source(), p.target(), List.of(p.table("facts")), options, CatchUp.NONE, new VerifyProgress(),
                v -> { }, recording);
        // Every range but the last reported how far the table got, each time with everything before it.
        assertEquals(List.of("100", "200", "300", "400", "500", "600"), reported.stream().map(c -> c.after().get(0)).toList());
        TableCheckpoint at300 = reported.get(2);
        assertEquals(300, at300.sourceRows());
        assertEquals(List.of(new TableCheckpoint.SavedMismatch("DIFFERING", List.of("200"), List.of("label"))),
                at300.mismatches());

        try (Connection t = p.tgt()) { // before the checkpoint: not read again; after it: found
            Sql.exec(t, "UPDATE facts SET label = 'ignored' WHERE id = 250", "UPDATE facts SET label = 'after' WHERE id = 450");
        }
        VerifyProgress progress = new VerifyProgress();
        TableVerdict v = VerificationEngine.run(p.source(), p.target(), List.of(p.table("facts")), options, CatchUp.NONE,
                progress, x -> { }, new Checkpoints(Map.of("public.facts", at300), c -> { })).tables().get(0);
        assertEquals(Map.of("id=200", "differing [label]", "id=450", "differing [label]"), samples(v), v.detail());
        assertEquals(600, v.sourceRows());
        assertEquals(600, v.targetRows());
        assertEquals(600, progress.rowsCompared());
    }

    /**
     * Resume within a table through the record on the source: a verification whose service died
     * inside a table (its record RUNNING, with the table's checkpoint) continues with
     * {@code resume} after the checkpoint's key, and its verdict holds the checkpoint's counts and
     * mismatch plus the rows after it.
     */
    @Test
    void aVerificationCutShortInsideATableContinuesAfterItsRecordedCheckpoint() throws Exception {
        Pair p = facts(600);
        try (Connection t = p.tgt()) {
            Sql.exec(t, "UPDATE facts SET label = 'before' WHERE id = 200", "UPDATE facts SET label = 'ignored' WHERE id = 250",
                    "UPDATE facts SET label = 'after' WHERE id = 450");
        }
        TableCheckpoint at300 = new TableCheckpoint("public.facts", List.of("300"), 300, 300,
                List.of(new TableCheckpoint.SavedMismatch("DIFFERING", List.of("200"), List.of("label"))), List.of(0L, 0L, 0L));
        VerifyStore store = new VerifyStore();
        store.save(p.source(), new VerifyRecord("crashed-in-facts", "RUNNING", List.of("public.facts"), 100, null,
                java.time.Instant.now(), null, List.of(), List.of(), null, null, 1, List.of(at300)));
        Verifier engine = new Verifier() {
            @Override
            public VerificationResult verify(DataSource source, DataSource target, java.util.Collection<SourceTable> tables)
                    throws SQLException {
                throw new UnsupportedOperationException("the resumed run passes its checkpoints");
            }

            @Override
            public VerificationResult verify(DataSource source, DataSource target, java.util.Collection<SourceTable> tables,
                                             VerifyOptions options, VerifyProgress progress,
                                             java.util.function.Consumer<TableVerdict> onTable, Checkpoints checkpoints)
                    throws SQLException {
                return VerificationEngine.run(source, target, tables, options, CatchUp.NONE, progress, onTable, checkpoints);
            }
        };
        VerificationRuns runs = new VerificationRuns(engine);
        VerificationRuns.Run restored = runs.get(p.source(), "crashed-in-facts", VerifyOptions.DEFAULTS).orElseThrow();
        assertEquals(VerificationRuns.State.INTERRUPTED, restored.state());
        assertTrue(restored.stopReason().orElseThrow().contains("public.facts continue(s) after the last key compared"),
                restored.stopReason().orElseThrow());

        runs.resume(p.source(), p.target(), "crashed-in-facts", Map.of("public.facts", p.table("facts")),
                VerifyOptions.DEFAULTS, null);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120))
                .until(() -> !runs.get("crashed-in-facts").orElseThrow().state().name().matches("PENDING|RUNNING"));
        VerificationRuns.Run done = runs.get("crashed-in-facts").orElseThrow();
        assertEquals(VerificationRuns.State.FAILED, done.state(), done.error().orElse(""));
        TableVerdict v = done.result().orElseThrow().tables().get(0);
        assertEquals(Map.of("id=200", "differing [label]", "id=450", "differing [label]"), samples(v), v.detail());
        assertEquals(600, v.sourceRows());
        assertEquals(List.of(), store.load(p.source(), "crashed-in-facts").orElseThrow().checkpoints()); // the verdict replaced it
    }
}
