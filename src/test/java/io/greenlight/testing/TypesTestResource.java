package io.greenlight.testing;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

/**
 * Source tables of every type family for TypesPipelineTest, each filled once before start (the
 * snapshot rows, ids below 100) with the same edge values the test inserts again while streaming
 * (ids from 100 on).
 */
public class TypesTestResource extends PipelineTestResource {

    public static final String DATABASE = "types";
    public static final int STREAMED = 100;

    public static final List<String> NUMBERS = List.of(
            "(%d, -32768, -2147483648, -9223372036854775808, -9999999999.99, -99999999999999999999999999999999999999,"
                    + " -99999999999999999999999999999999999.999999999999999999999999999999, -3.4028235e38,"
                    + " -1.7976931348623157e308, -9999999999999.99, false)",
            "(%d, 32767, 2147483647, 9223372036854775807, 9999999999.99, 99999999999999999999999999999999999999,"
                    + " 0.000000000000000000000000000001, 1.17549435e-38, 2.2250738585072014e-308, 9999999999999.99, true)",
            "(%d, 0, 0, 0, 0, 0, 0, '-0', '-0', 0, false)",
            "(%d, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

    public static final List<String> TEXTS = List.of(
            "(%d, 'ab', '', '', '00000000-0000-0000-0000-000000000000', '{}', '{}', '', '<a/>', 'sad', 1, '{}', '{}')",
            "(%d, 'ä😀', '😀𝄞 é', repeat('ü', 3000) || '😀', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                    + " '{\"b\": 1,  \"a\": [1.50, \"😀\"], \"a\": 2}', '{\"b\": 1, \"a\": [1.50, \"😀\"]}',"
                    + " '\\x00ff0a275c'::bytea, '<doc a=\"1\">text &amp; 😀</doc>', 'happy', 2147483647,"
                    + " '{1,NULL,-3}', '{\"x\",NULL,\"😀 \\\\\\\" quote\",\"\"}')",
            "(%d, 'q''\\`', 'it''s `x`', E'line\\nbreak\\ttab \\\\', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null',"
                    + " '[1, 2]', '\\x'::bytea, '<a>b</a>', 'ok', 42, '{2147483647}', '{\"\"}')",
            "(%d, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

    public static final List<String> TIMES = List.of(
            "(%d, '2024-02-29', '00:00:00', '23:59:59.999', '2024-02-29 12:34:56.123456',"
                    + " '2024-02-29 23:59:59', '2024-03-31 01:59:59.999999+00', '2024-02-29')",
            "(%d, '0001-01-01', '24:00:00', '12:00:00.5', '0001-01-01 00:00:00', '9999-12-31 23:59:59',"
                    + " '2024-03-31 03:00:00 Europe/Berlin', '9999-12-31')",
            "(%d, '9999-12-31', '23:59:59.999999', '00:00:00.001', '9999-12-31 23:59:59.999999',"
                    + " '1970-01-01 00:00:00', '2024-01-01 00:00:00+14', '1970-01-01')",
            "(%d, '1970-01-01', '12:30:00', NULL, '1969-12-31 23:59:59.999999', NULL, '2023-12-31 23:59:59.5-12', NULL)",
            "(%d, NULL, NULL, NULL, '1582-10-04 23:59:59.5', NULL, '1500-06-15 12:00:00+00', '1582-10-04')",
            "(%d, NULL, NULL, NULL, '1582-10-15 00:00:00', NULL, '2024-10-27 02:30:00+02', '1582-10-15')");

    public static final List<String> OTHERS = List.of(
            "(%d, '192.168.0.1', '10.1.0.0/16', '08:00:2b:01:02:03', B'101010101010', B'1', B'1000', 'a:1 fat:2 cat:3',"
                    + " '[1,10)', 'P1Y2M3DT4H5M6.78S', 'a=>1, b=>NULL', '10:15:30.123456+05:30')",
            "(%d, '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', B'000000000000', B'0', B'', '', 'empty', '-1 days -00:00:00.000001',"
                    + " '', '00:00:00+14')",
            "(%d, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

    public static final List<String> INFINITE = List.of(
            "(%d, 'infinity', 'infinity', 'infinity', 'NaN', 'NaN')",
            "(%d, '-infinity', '-infinity', '-infinity', 'Infinity', '-Infinity')");

    /**
     * Values production databases hold at the edges: enum arrays with the element 'NULL', a SQL
     * NULL and a comma; a tstzrange (written with a +02 bound); timestamptz[] / date[] holding
     * infinity; numeric[] holding NaN and ±Infinity; multiranges (PostgreSQL 14+), an interval[] (which
     * the connector drops) and a composite value with quotes and a comma.
     */
    public static final List<String> EDGE = List.of(
            "(%d, ARRAY[NULL, 'NULL', 'a,b', 'two words', 'plain']::label[], '[2024-01-01 10:00:00+02,2024-01-02 00:00:00.5+00)',"
                    + " '{infinity,\"2024-01-01 00:00:00.25+00\",-infinity}', '{infinity,2024-02-29,-infinity}',"
                    + " '{NaN,1.50,Infinity,-Infinity,NULL}', '{[2024-01-01 10:00:00+02,2024-01-02 00:00:00+00), [2025-01-01 00:00:00+00,)}',"
                    + " '{[1,3), [5,7)}', '{\"1 day 02:00:00\",\"-00:00:00.000001\",NULL}', ROW(1, 'a \"b\", c')::pair_t)",
            "(%d, '{}', 'empty', '{}', '{}', '{}', '{}', '{}', '{}', ROW(NULL, NULL)::pair_t)",
            "(%d, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

    /**
     * Types whose PostgreSQL text form is exact (sent by Greenlight's converter): ltree, isbn, issn,
     * tsquery, bit varying with leading zeros, and every geometric type, with floats needing all
     * their digits, exponents and a negative zero.
     */
    public static final List<String> EXACT_TEXT = List.of(
            "(%d, 'Top.Science.Astronomy', '978-0-393-04002-9', '0317-8471', 'fat & (rat | !cat)', B'00101', '(1.5,-2e-05)',"
                    + " '{1,-1,0.1}', '[(0,0),(1e+20,3.3)]', '(3,4),(1,2)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))',"
                    + " '<(1,2),0.30000000000000004>')",
            "(%d, '', '979-10-90636-07-1', '2049-3630', 'a:*', B'', '(-0,1e-300)', '{0,1,2}', '[(1,2),(1,2)]', '(0,0),(0,0)',"
                    + " '((1,1))', '((0,0))', '<(0,0),0>')",
            "(%d, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

    /** money at both ends of its range (±92233720368547758.08) and a usual amount. */
    public static final List<String> MONEY = List.of("(%d, '92233720368547758.07')", "(%d, '-92233720368547758.08')",
            "(%d, '1234.56')");

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c,
                "CREATE EXTENSION hstore",
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)",
                "CREATE TABLE numbers (id int PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, n12 numeric(12,2),"
                        + " n38 numeric(38,0), nfree numeric, r real, d double precision, m money, b boolean)",
                "CREATE TABLE texts (id int PRIMARY KEY, c char(5), v varchar(10), t text, u uuid, j json, jb jsonb,"
                        + " bytes bytea, x xml, e mood, dom positive_int, arr integer[], tarr text[])",
                "CREATE TABLE times (id int PRIMARY KEY, d date, t time, t3 time(3), ts timestamp, ts0 timestamp(0),"
                        + " tstz timestamptz, dr date)",
                "CREATE TABLE others (id int PRIMARY KEY, ip inet, net cidr, mac macaddr, bits bit(12), b1 bit(1),"
                        + " vb varbit(20), tsv tsvector, ir int4range, iv interval, h hstore, tz timetz)",
                "CREATE TABLE infinite (id int PRIMARY KEY, d date, ts timestamp, tstz timestamptz, f float8, nfree numeric)",
                "CREATE TABLE toasty (id int PRIMARY KEY, small int, big text, bb bytea, arr text[], js jsonb)",
                "ALTER TABLE toasty ALTER big SET STORAGE EXTERNAL, ALTER bb SET STORAGE EXTERNAL,"
                        + " ALTER arr SET STORAGE EXTERNAL, ALTER js SET STORAGE EXTERNAL",
                "CREATE TABLE toasty_keyless (small int, big text)",
                "ALTER TABLE toasty_keyless ALTER big SET STORAGE EXTERNAL, REPLICA IDENTITY FULL",
                "CREATE TABLE composite (region text, id int, v numeric(6,2), PRIMARY KEY (region, id))",
                "CREATE TABLE keyless (name text, price numeric(8,2), at timestamptz, payload jsonb)",
                "ALTER TABLE keyless REPLICA IDENTITY FULL",
                "CREATE TABLE uniq (id int PRIMARY KEY, email text NOT NULL UNIQUE, n int)",
                "CREATE TABLE gen (id int PRIMARY KEY, a int, g int GENERATED ALWAYS AS (a * 2) STORED)",
                "CREATE TABLE evolving (id int PRIMARY KEY, v varchar(10), n integer, num numeric(5,2),"
                        + " gone text NOT NULL)",
                "CREATE EXTENSION ltree",
                "CREATE EXTENSION isn",
                "CREATE TABLE exact_text (id int PRIMARY KEY, path ltree, book isbn, journal issn, query tsquery, vb varbit(20),"
                        + " pt point, ln line, seg lseg, bx box, pth path, poly polygon, circ circle)",
                "CREATE TABLE money_max (id int PRIMARY KEY, m money)",
                "CREATE TYPE label AS ENUM ('NULL', 'a,b', 'two words', 'plain')",
                "CREATE TYPE pair_t AS (a int, b text)",
                "CREATE TABLE edge (id int PRIMARY KEY, labels label[], span tstzrange, stamps timestamptz[], days date[],"
                        + " nums numeric[], spans tstzmultirange, ints int4multirange, ivs interval[], pair pair_t)",
                "CREATE TABLE \"Select\" (\"Order\" int PRIMARY KEY, \"we`ird \"\"name\"\"\" text, \"ünï\" int)");
        insert(c, "numbers", NUMBERS, 0);
        insert(c, "texts", TEXTS, 0);
        insert(c, "times", TIMES, 0);
        insert(c, "others", OTHERS, 0);
        insert(c, "infinite", INFINITE, 0);
        insert(c, "edge", EDGE, 0);
        insert(c, "exact_text", EXACT_TEXT, 0);
        insert(c, "money_max", MONEY, 0);
        Sql.exec(c, "INSERT INTO toasty SELECT g, g, repeat(md5(g::text), 200), convert_to(repeat(md5(g::text), 100), 'UTF8'),"
                        + " ARRAY[repeat('a', 5000)], jsonb_build_object('k', repeat('j', 5000)) FROM generate_series(1, 4) g",
                "INSERT INTO toasty_keyless SELECT g, repeat(md5(g::text), 200) FROM generate_series(1, 3) g",
                "INSERT INTO composite VALUES ('eu', 1, 1.50), ('us', 1, 2.50), ('eu', 2, 3.00)",
                "INSERT INTO keyless VALUES ('a', 1.10, '2024-01-01 00:00:00+00', '{\"k\": 1}'), ('a', 1.10, '2024-01-01 00:00:00+00', '{\"k\": 1}'),"
                        + " ('b', NULL, NULL, NULL)",
                "INSERT INTO uniq VALUES (1, 'a@x', 1), (2, 'b@x', 2)",
                "INSERT INTO gen (id, a) VALUES (1, 10)",
                "INSERT INTO evolving VALUES (1, 'short', 1, 1.25, 'x')",
                "INSERT INTO \"Select\" VALUES (1, 'odd', 2)");
    }

    /** The service runs in a zone that is not UTC (+05:45): nothing it writes may depend on it. */
    public static final java.util.TimeZone SERVICE_ZONE = java.util.TimeZone.getTimeZone("Asia/Kathmandu");
    private java.util.TimeZone before;

    @Override
    protected void configure(Map<String, String> config) throws Exception {
        before = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(SERVICE_ZONE); // the in-JVM service of this test class starts right after
        config.put("greenlight.types.lossy-accept", "timetz,public.others.vb,public.infinite.d,public.infinite.ts,"
                + "public.infinite.tstz,public.infinite.f,public.infinite.nfree,public.gen.g,"
                // an array column accepted by name, one by its type
                + "public.edge.stamps,date[],public.edge.nums");
    }

    @Override
    public void stop() {
        if (before != null) {
            java.util.TimeZone.setDefault(before);
        }
    }

    /** Inserts each row template with ids first, first + 1, ... */
    public static void insert(Connection c, String table, List<String> rows, int first) throws Exception {
        StringBuilder sql = new StringBuilder("INSERT INTO " + table + " VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(String.format(rows.get(i), first + i + 1));
        }
        Sql.exec(c, sql.toString());
    }


    /** The same tables replicated to a PostgreSQL target (database types_pg: the source cluster is shared). */
    public static class OnPostgres extends TypesTestResource {

        public static final String DATABASE = "types_pg";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetEngine target() {
            return TargetEngine.POSTGRES;
        }

        @Override
        protected void createTarget(Connection c) throws Exception {
            // extension types need their extension on the target, a composite type its type (docs/postgres-target.md)
            Sql.exec(c, "CREATE EXTENSION hstore", "CREATE EXTENSION ltree", "CREATE EXTENSION isn",
                    "CREATE TYPE pair_t AS (a int, b text)");
        }
    }
}
