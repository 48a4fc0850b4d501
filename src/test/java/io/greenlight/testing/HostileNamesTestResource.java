package io.greenlight.testing;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

/**
 * Source tables and columns named to break whatever builds SQL or topic names by hand: spaces,
 * semicolons, quotes, backticks, reserved words, names differing only in case, non-ASCII
 * letters, and PostgreSQL's longest names (63 bytes). Each table has rows before start.
 */
public class HostileNamesTestResource extends PipelineTestResource {

    public static final String DATABASE = "hostile";
    public static final String TOKEN = "hostile-token-1d6f3b8e0a5c2f9d7b4e1a6c";
    public static final String INJECTION = "Order Items; DROP TABLE x";
    public static final String QUOTES = "quo\"te`back";
    public static final String UNICODE = "tëst_ünïcode_表";
    /** 63 bytes, PostgreSQL's limit. */
    public static final String LONGEST_TABLE = "l" + "o".repeat(61) + "g";
    /** 63 bytes: 31 two-byte letters and one more. */
    public static final String LONGEST_COLUMN = "ü".repeat(31) + "x";
    /** Every table, as {source table name (unquoted), key column (unquoted)}. */
    public static final List<List<String>> TABLES = List.of(List.of(INJECTION, "select"), List.of("user", "key"),
            List.of("CamelCase", "Id"), List.of("camelcase", "id"), List.of(QUOTES, "a\"b`c"), List.of(UNICODE, "ïd"),
            List.of(LONGEST_TABLE, LONGEST_COLUMN));

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c,
                "CREATE TABLE \"" + INJECTION + "\" (\"select\" int PRIMARY KEY, \"we`ird \"\"col\"\"\" text,"
                        + " \"spaced col; --\" text, \"Ünïcødé ☕\" text, \"MixedCase\" int)",
                "CREATE TABLE \"user\" (\"key\" int PRIMARY KEY, \"group\" text, \"order\" int, \"from\" text)",
                "CREATE TABLE \"CamelCase\" (\"Id\" int PRIMARY KEY, \"Value\" text)",
                "CREATE TABLE camelcase (id int PRIMARY KEY, value text)",
                "CREATE TABLE \"quo\"\"te`back\" (\"a\"\"b`c\" int PRIMARY KEY, \"'single\" text)",
                "CREATE TABLE \"" + UNICODE + "\" (\"ïd\" int PRIMARY KEY, \"名前\" text)",
                "CREATE TABLE \"" + LONGEST_TABLE + "\" (\"" + LONGEST_COLUMN + "\" int PRIMARY KEY, \"v\" text)",
                "INSERT INTO \"" + INJECTION + "\" VALUES (1, 'it''s', 'a; b', 'ä', 1), (2, NULL, '`', '☕', -2)",
                "INSERT INTO \"user\" VALUES (1, 'admins', 1, 'x')",
                "INSERT INTO \"CamelCase\" VALUES (1, 'upper')",
                "INSERT INTO camelcase VALUES (1, 'lower')",
                "INSERT INTO \"quo\"\"te`back\" VALUES (1, '\"')",
                "INSERT INTO \"" + UNICODE + "\" VALUES (1, '東京')",
                "INSERT INTO \"" + LONGEST_TABLE + "\" VALUES (1, 'long')");
    }

    @Override
    protected void configure(Map<String, String> config) throws Exception {
        config.put("greenlight.api.token", TOKEN);
    }

    /** The same tables written to a PostgreSQL target (a second cluster). */
    public static class OnPostgres extends HostileNamesTestResource {

        public static final String DATABASE = "hostile_pg";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetEngine target() {
            return TargetEngine.POSTGRES;
        }
    }

    /** Two tables whose Kafka topic names coincide: "a b" and a_b both become <prefix>.public.a_b. */
    public static class TopicClash extends PipelineTestResource {
        @Override
        protected String database() {
            return "hostile_clash";
        }

        @Override
        protected void createSource(Connection c) throws Exception {
            Sql.exec(c, "CREATE TABLE \"a b\" (id int PRIMARY KEY)", "CREATE TABLE a_b (id int PRIMARY KEY)");
        }
    }

    /** The same tables written to MySQL 8 in a container (hosts with Docker only). */
    public static class OnMySql8 extends HostileNamesTestResource {

        public static final String DATABASE = "hostile_my8";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetDatabase target() {
            return MySql8Target.INSTANCE;
        }
    }
}
