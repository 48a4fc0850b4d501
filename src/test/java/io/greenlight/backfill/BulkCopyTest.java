package io.greenlight.backfill;

import io.agroal.api.AgroalDataSource;
import io.greenlight.DataSources;
import io.greenlight.apply.TargetTables;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestConfig;
import io.greenlight.testing.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backfill's bulk path (COPY … TO STDOUT on the source, LOAD DATA or COPY FROM STDIN on the
 * target) against the real servers: it writes exactly what the row-by-row bound path writes, for
 * values whose text is tricky (NULL and empty, escapes, bytes, NaN and infinities, BC dates, time
 * zones, money), with the same lossy policy; and a chunk is on the target whole or not at all.
 * Run against each target engine by {@link BulkCopyMariaDbTest} and {@link BulkCopyPostgresTest}.
 */
abstract class BulkCopyTest {

    protected abstract TargetEngine engine();

    private static final TestServers SERVERS = TestServers.get();
    private static final TableId TRICKY = new TableId("public", "tricky");
    /** Losses this test accepts, so that both paths write the clamped or NULL value instead of refusing. */
    private static final LossyPolicy ACCEPTED = LossyPolicy.of(List.of("public.tricky.f8", "public.tricky.f4",
            "public.tricky.nu", "public.tricky.d", "public.tricky.ts", "public.tricky.tz", "timetz"));
    private static final String COLUMNS = "id, t, c, v, b, f8, f4, n, nu, m, bo, bi, vb, d, ts, tz, tt, ttz, iv, j, u, e, ip, i2, i8";

    @BeforeAll
    static void drivers() throws Exception {
        Class.forName("org.postgresql.Driver");
        Class.forName("com.mysql.cj.jdbc.Driver");
    }

    @Test
    void theCopyPathWritesWhatTheBoundInsertPathWritesForTrickyValues() throws Exception {
        String db = "bulk_tricky_" + engine().name().toLowerCase();
        createSource(db);
        engine().createDatabase(db + "_copy");
        engine().createDatabase(db + "_insert");
        assertEquals(5, copy(db, db + "_copy", true, ACCEPTED));
        assertEquals(5, copy(db, db + "_insert", false, ACCEPTED));
        try (Connection copied = engine().connect(db + "_copy"); Connection inserted = engine().connect(db + "_insert")) {
            List<List<String>> byCopy = Sql.rows(copied, comparable());
            Sql.assertSameRows(Sql.rows(inserted, comparable()), byCopy);
            // and the text went through unchanged, escapes and all (not only the same on both paths)
            try (Connection source = SERVERS.postgres.connect(db)) {
                Sql.assertSameRows(Sql.rows(source, "SELECT id, t, v, upper(encode(b, 'hex')), u::text FROM tricky ORDER BY id"),
                        Sql.rows(copied, "SELECT id, t, v, " + (engine() == TargetEngine.POSTGRES ? "upper(encode(b, 'hex'))"
                                : "HEX(b)") + ", u FROM tricky ORDER BY id"));
            }
        }
    }

    @Test
    void aValueTheTargetCannotHoldIsRefusedOnTheCopyPathNamingColumnKeyAndRemedy() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(engine() == TargetEngine.MARIADB, "PostgreSQL holds every value of its own types");
        String db = "bulk_refused";
        createSource(db);
        engine().createDatabase(db + "_copy");
        BackfillException refused = assertThrows(BackfillException.class, () -> copy(db, db + "_copy", true, LossyPolicy.none()));
        assertTrue(refused.getMessage().startsWith("Column public.tricky.f8 (double precision), key {id=3}"), refused.getMessage());
        assertTrue(refused.getMessage().contains("greenlight.types.lossy-accept=public.tricky.f8"), refused.getMessage());
        try (Connection target = engine().connect(db + "_copy")) {
            assertEquals(0, Sql.count(target, "tricky"));
        }
    }

    /**
     * The chunk's first slices are loaded before its last row is read: a row the target refuses at
     * the end rolls back every slice, and the chunk is not recorded done.
     */
    @Test
    void aRowRefusedAfterEarlierSlicesWereLoadedLeavesNothingOfTheChunk() throws Exception {
        String db = "bulk_late_refusal_" + engine().name().toLowerCase();
        SERVERS.postgres.createDatabase(db);
        engine().createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "CREATE TABLE wide (id int PRIMARY KEY, body text, tag varchar(10))",
                    "INSERT INTO wide SELECT g, repeat(md5(g::text), 8), 'ok' FROM generate_series(1, 20000) g",
                    "INSERT INTO wide VALUES (20001, 'last', 'too long')");
        }
        try (Connection target = engine().connect(db)) {
            // made by hand before the start, narrower than the source: the target refuses the last row
            Sql.exec(target, "CREATE TABLE wide (id int PRIMARY KEY, body text, tag varchar(3))");
        }
        TableId wide = new TableId("public", "wide");
        BackfillException refused = assertThrows(BackfillException.class, () -> copy(db, db, wide, true, LossyPolicy.none()));
        assertTrue(refused.getMessage().startsWith("Table public.wide, key {id=20001}, in the backfill"), refused.getMessage());
        try (Connection target = engine().connect(db)) {
            assertEquals(0, Sql.count(target, "wide"));
            assertEquals(List.of(List.of("-1")), Sql.rows(target, "SELECT chunk FROM greenlight_backfill ORDER BY chunk"));
        }
    }

    /** A chunk copied again (its table restarted after a crash) holds each row once. */
    @Test
    void aTableCopiedAgainAfterARestartHoldsEachRowOnce() throws Exception {
        String db = "bulk_again_" + engine().name().toLowerCase();
        createSource(db);
        engine().createDatabase(db);
        assertEquals(5, copy(db, db, true, ACCEPTED));
        assertEquals(5, copy(db, db, true, ACCEPTED));
        try (Connection target = engine().connect(db)) {
            assertEquals(5, Sql.count(target, "tricky"));
        }
    }

    private String comparable() {
        if (engine() == TargetEngine.POSTGRES) {
            return "SELECT r::text FROM tricky r ORDER BY id";
        }
        String columns = List.of(COLUMNS.split(", ")).stream().map(c -> switch (c) {
            case "b" -> "HEX(b)";
            case "bi" -> "CAST(bi + 0 AS CHAR)";
            default -> "CAST(" + c + " AS CHAR)";
        }).collect(Collectors.joining(", "));
        return "SELECT " + columns + " FROM tricky ORDER BY id";
    }

    /**
     * A source whose database defaults differ from what the reader sets (time zone, date and
     * interval styles, bytea output, float digits): the copy must not depend on them.
     */
    private static void createSource(String db) throws Exception {
        SERVERS.postgres.createDatabase(db);
        try (Connection c = SERVERS.postgres.connect(db)) {
            Sql.exec(c, "ALTER DATABASE " + db + " SET TimeZone = 'Asia/Kolkata'",
                    "ALTER DATABASE " + db + " SET DateStyle = 'SQL, DMY'",
                    "ALTER DATABASE " + db + " SET IntervalStyle = 'sql_standard'",
                    "ALTER DATABASE " + db + " SET bytea_output = 'escape'",
                    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE TABLE tricky (id int PRIMARY KEY, t text, c char(5), v varchar(20), b bytea, f8 float8, f4 float4, "
                            + "n numeric(12,2), nu numeric, m money, bo boolean, bi bit(3), vb varbit(5), d date, ts timestamp, "
                            + "tz timestamptz, tt time, ttz timetz, iv interval, j jsonb, u uuid, e mood, ip inet, i2 smallint, i8 bigint)",
                    "INSERT INTO tricky (" + COLUMNS + ") VALUES "
                            + "(1, 'plain', 'ab', 'x', '\\x00ff0a'::bytea, 1.5, 3.4028235e38, 1234567890.12, 0.1, 12.34, true, B'101', "
                            + "B'0011', '2024-02-29', '2024-03-31 01:59:59.999999', '2024-03-31 01:59:59.123456+02', '12:34:56.5', "
                            + "'10:15:30.123456+05:30', '1 year 2 mons 3 days 04:05:06.789', '{\"a\": 1, \"b\": [true, null]}', "
                            + "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', '10.1.0.0/16', -32768, -9223372036854775808), "
                            + "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                            + "NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
                            + "(3, '', '', '', ''::bytea, 'NaN', '-Infinity', -0.05, 'NaN', -1234567.89, false, B'000', B'', "
                            + "'0044-03-15 BC', 'infinity', '-infinity', '24:00:00', '00:00:00+14', '-1 days +02:03:04.5', '{}', "
                            + "'00000000-0000-0000-0000-000000000000', 'sad', '::1', 0, 0), "
                            + "(4, E'tab\\there\\nnewline\\\\backslash\\rcr\\ffeed\\x0bvtab\\bback', '\\N', E'\\\\N', '\\x5c0a09'::bytea, "
                            + "1e-300, 1e-45, 0, 123456789012345678901234567890.123456789, 0, true, B'111', B'10000', '0001-01-01', "
                            + "'1999-12-31 23:59:59', '1970-01-01 00:00:00+00', '00:00:00', '23:59:59.999999-03:30', '00:00:00', "
                            + "'{\"k\": \"a\\tb\\\\c\\nd\"}', NULL, 'ok', '192.168.0.1', 1, 1), "
                            + "(5, 'ä😀𝄞 é', 'ü', 'ß', '\\x'::bytea, -0.0, 0.1, 99.99, 1.00000000000000000000000000001, 0.01, NULL, "
                            + "B'010', B'1', '9999-12-31', '2038-01-19 03:14:07', '2000-02-29 23:59:59.999999-12', '23:59:59', "
                            + "'12:00:00-00', '178000000 years', '{\"ä\": \"😀\"}', NULL, NULL, NULL, NULL, NULL)");
        }
    }

    private long copy(String sourceDb, String targetDb, boolean bulk, LossyPolicy lossy) throws Exception {
        return copy(sourceDb, targetDb, TRICKY, bulk, lossy);
    }

    /** Creates the target table (unless it exists), starts its copy and copies it as one chunk; returns the rows copied. */
    private long copy(String sourceDb, String targetDb, TableId id, boolean bulk, LossyPolicy lossy) throws Exception {
        String targetUrl = engine().jdbcUrl(targetDb);
        String version;
        try (Connection c = engine().connect(targetDb); var rs = c.createStatement().executeQuery("SELECT version()")) {
            rs.next();
            version = rs.getString(1);
        }
        Dialect dialect = Dialect.forTarget(targetUrl, version, lossy);
        String loadUrl = bulk ? dialect.bulkLoadUrl(Dialect.connectionUrl(targetUrl)) : targetUrl;
        PipelineMeters meters = new PipelineMeters(new SimpleMeterRegistry(), new LagTracker());
        try (AgroalDataSource src = DataSources.source(SERVERS.postgres.jdbcUrl(sourceDb), "postgres", Optional.empty(), 4);
             AgroalDataSource tgt = DataSources.target(loadUrl, engine().username(), Optional.empty(), 4);
             CopyThrottle throttle = new CopyThrottle(0, TestConfig.minimal(Map.of("greenlight.backfill.throttle.mode", "off"))
                     .backfill().throttle(), null, meters);
             Connection catalog = src.getConnection(); Connection target = tgt.getConnection()) {
            SourceTable table = new SourceCatalog(catalog).tables(List.of(id)).get(id);
            TargetTables.create(target, dialect, List.of(table));
            BackfillStore store = new BackfillStore(dialect);
            store.createTable(target);
            store.startTable(target, table, 1, null);
            ChunkCopier copier = new ChunkCopier(src, tgt, bulk, dialect, store, 1000, throttle);
            try (ExportedSnapshot snapshot = ExportedSnapshot.fresh(src)) {
                return copier.copy(table, new Chunk(id, 0, 0, -1), snapshot);
            }
        }
    }
}
