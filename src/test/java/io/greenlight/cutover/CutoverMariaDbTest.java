package io.greenlight.cutover;

import io.greenlight.testing.CutoverTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CutoverTest} with a MariaDB target (binlog on), and what follows the switch there:
 * reverse replication keeps the old source in sync with the new primary.
 */
@QuarkusTest
@WithTestResource(CutoverTestResource.class)
@WithKubernetesTestServer(crud = true)
class CutoverMariaDbTest extends CutoverTest {

    private final TestServers servers = TestServers.get();

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return CutoverTestResource.DATABASE;
    }

    @Test
    @Order(13)
    void aTargetBinlogWithoutRowsRefusesTheCutoverBeforeAnythingIsFencedAndTheAdvisedFixWorks() throws Exception {
        String before = given().get("/cutover").path("id");
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "SET GLOBAL binlog_format = 'STATEMENT'");
        }
        try {
            authorized().body("{\"maxLagSeconds\": 3600, \"stableSeconds\": 1}").post("/cutover").then().statusCode(409)
                    .body("detail", containsString("nothing was armed or fenced"))
                    .body("detail", containsString("binlog_format is STATEMENT"))
                    .body("detail", containsString("SET GLOBAL binlog_format = 'ROW'"));
            assertEquals(before, given().get("/cutover").path("id"), "no cutover was armed");
            try (Connection s = servers.postgres.connect(database())) {
                assertEquals("off", Sql.rows(s, "SELECT coalesce((SELECT setting FROM pg_db_role_setting d, "
                        + "unnest(d.setconfig) setting WHERE d.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                        + "AND setting LIKE 'default_transaction_read_only%'), 'off')").get(0).get(0), "the source is not fenced");
            }
            authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200)
                    .body("checks.find { it.name == 'rollbackPath' }.passed", equalTo(false));
            authorized().body("{\"dryRun\": true, \"giveUpRollback\": true}").post("/cutover").then().statusCode(200)
                    .body("checks.find { it.name == 'rollbackPath' }.passed", equalTo(true))
                    .body("options.giveUpRollback", equalTo(true));
        } finally {
            try (Connection t = engine().connect(database())) {
                Sql.exec(t, "SET GLOBAL binlog_format = 'ROW'"); // the remedy the message advises
            }
        }
        authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200)
                .body("checks.find { it.name == 'rollbackPath' }.passed", equalTo(true));
    }

    @Test
    @Order(23)
    void valuesWrittenOnTheNewPrimaryComeBackAsTheOriginalPostgresTypes() throws Exception {
        awaitReverseRunning();
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "INSERT INTO kinds VALUES (1, 12.5000, 1.500000000000000000000000000000, '2024-02-29 23:59:59.123456',"
                    + " '1970-01-01 00:00:00', '2024-02-29', '{\"a\": [1.50, \"😀\"], \"b\": null}', '[1, null, -3]',"
                    + " '[\"x\", null, \"a \\\\\"q\\\\\" , c\", \"\"]', 'happy', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', x'00ff0a275c',"
                    + " 'P1Y2M3DT4H5M6.78S', '{\"a\": \"1\", \"b\": null}', '192.168.0.1/24', 1, 0.1)",
                    "INSERT INTO kinds (id) VALUES (2)");
        }
        String query = "SELECT id, amount::text, plain::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),"
                + " stamp::text, day::text, doc::text, ints::text, words::text, feeling::text, ref::text, encode(raw, 'hex'),"
                + " span::text, attrs::text, addr::text, flag::text, ratio::text FROM kinds ORDER BY id";
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database())) {
                Sql.exec(s, "SET intervalstyle = 'postgres'");
                List<List<String>> rows = Sql.rows(s, query);
                assertEquals(2, rows.size(), "both rows are on the old source: " + rows);
                assertEquals(List.of("1", "12.5000", "1.5", "2024-02-29 23:59:59.123456", "1970-01-01 00:00:00", "2024-02-29",
                        "{\"a\": [1.50, \"😀\"], \"b\": null}", "{1,NULL,-3}", "{x,NULL,\"a \\\"q\\\" , c\",\"\"}", "happy",
                        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00ff0a275c", "1 year 2 mons 3 days 04:05:06.78",
                        "\"a\"=>\"1\", \"b\"=>NULL", "192.168.0.1/24", "true", "0.1"), rows.get(0));
                assertEquals(java.util.Arrays.asList("2", null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null), rows.get(1));
            }
        });
    }

    @Test
    @Order(24)
    void aTruncateOnTheNewPrimaryEmptiesTheTableOnTheOldSource() throws Exception {
        awaitReverseRunning();
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "INSERT INTO kinds (id) VALUES (3)");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database())) {
                assertEquals(1, Sql.rows(s, "SELECT id FROM kinds WHERE id = 3").size());
            }
        });
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "TRUNCATE TABLE kinds");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database())) {
                assertEquals(0L, Sql.count(s, "kinds"));
            }
        });
    }

    @Test
    @Order(25)
    void valuesOfTheTypesAProductionDatabaseAlsoHoldsWrittenOnTheNewPrimaryComeBackAsTheOriginalPostgresTypes() throws Exception {
        awaitReverseRunning();
        // column, what the application writes on MariaDB (the column's MariaDB type), what the old source must then hold
        String[][] columns = {
                {"pos", "7", "pos = 7"},
                {"cash", "12.34", "cash = '12.34'::money"},
                {"name", "'MiXeD Case'", "name::text = 'MiXeD Case'"},
                {"during", "'[\"2024-01-01 00:00:00+00\",\"2024-02-01 00:00:00+00\")'",
                        "during = tstzrange('2024-01-01 00:00:00+00', '2024-02-01 00:00:00+00')"},
                {"nums", "'[1,10)'", "nums = int4range(1, 10)"},
                {"nan", "1.5", "nan::text = '1.5'"},
                {"inf", "-1.5e-300", "inf = -1.5e-300"},
                {"far", "'9999-12-31 23:59:59.999999'", "far = '9999-12-31 23:59:59.999999+00'::timestamptz"},
                {"clock", "'04:45:30'", "clock = '04:45:30+00'::timetz"},
                {"bits", "'0011'", "bits = B'0011'"},
                {"moods", "'[\"happy\", \"sad\"]'", "moods = '{happy,sad}'::mood[]"},
                {"days", "'[\"2024-02-29\", null]'", "days = '{2024-02-29,NULL}'::date[]"},
                {"raw", "'{\"b\": 1,  \"a\" : [1.50]}'", "raw::text = '{\"b\": 1,  \"a\" : [1.50]}'"},
                {"big", "12345678901234567890.12345678901234567890", "big = 12345678901234567890.12345678901234567890"},
                {"ancient", "'0001-01-01'", "ancient = '0001-01-01'::date"},
                {"midnight", "'24:00:00'", "midnight = '24:00:00'::time"},
                {"net", "'10.0.0.0/8'", "net = '10.0.0.0/8'::cidr"},
                {"mac", "'08:00:2b:01:02:03'", "mac = '08:00:2b:01:02:03'::macaddr"},
                {"doc", "'<a x=\"1\">t &amp; u</a>'", "doc::text = '<a x=\"1\">t &amp; u</a>'"},
                {"small", "1.5", "small = 1.5"},
                {"fixed", "'ab'", "fixed = 'ab'"},
                {"terms", "'''cat'':2 ''fat'':1'", "terms = 'fat:1 cat:2'::tsvector"},
                {"amounts", "'[1.50, null]'", "amounts::text = '{1.50,NULL}'"},
                {"docs", "'[{\"k\": 1}, null]'", "docs = ARRAY['{\"k\": 1}'::jsonb, NULL]"},
                {"stamps", "'[\"2024-01-01 00:00:00+05\"]'", "stamps = ARRAY['2024-01-01 00:00:00+05'::timestamptz]"},
                {"spans", "'[\"P1D\", null]'", "spans = ARRAY['1 day'::interval, NULL]"},
                {"pt", "'(1.5,-2)'", "pt::text = '(1.5,-2)'"},
                {"area", "'(3,4),(1,2)'", "area::text = '(3,4),(1,2)'"},
                {"ranges", "'{[1,3),[5,7)}'", "ranges = '{[1,3),[5,7)}'::int4multirange"},
                {"nr", "'(1.5,2.25]'", "nr = numrange(1.5, 2.25, '(]')"},
                {"dr", "'[2024-01-01,2024-02-01)'", "dr = daterange('2024-01-01', '2024-02-01')"},
                {"ids", "'[\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\", null]'", "ids = ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL]"},
                {"blobs", "'[\"\\\\\\\\x00ff\", null]'", "blobs = ARRAY['\\x00ff'::bytea, NULL]"},
                {"mac8", "'08:00:2b:01:02:03:04:05'", "mac8 = '08:00:2b:01:02:03:04:05'::macaddr8"}};
        List<String> names = java.util.Arrays.stream(columns).map(c -> c[0]).toList();
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "INSERT INTO kinds_more (id, " + String.join(", ", names) + ") VALUES (1, "
                    + String.join(", ", java.util.Arrays.stream(columns).map(c -> c[1]).toList()) + ")",
                    "INSERT INTO kinds_more (id) VALUES (2)",
                    // years before 100 are real years (the server reads two-digit years when the row is written, not the binlog reader)
                    "INSERT INTO kinds_more (id, ancient, far) VALUES (3, '0099-12-31', '0050-06-15 12:00:00.5')");
        }
        String checks = String.join(", ", java.util.Arrays.stream(columns).map(c -> "coalesce((" + c[2] + ")::text, 'null')").toList());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database())) {
                Sql.exec(s, "SET TIME ZONE 'UTC'");
                List<List<String>> rows = Sql.rows(s, "SELECT id, total, num_nulls(" + String.join(", ", names) + "), " + checks
                        + " FROM kinds_more ORDER BY id");
                assertEquals(3, rows.size(), "the rows are on the old source: " + rows);
                // the old source computes its generated column; the second row is NULL in every other column
                assertEquals(List.of("2", "4", "6"), List.of(rows.get(0).get(1), rows.get(1).get(1), rows.get(2).get(1)));
                assertEquals(List.of("0099-12-31", "0050-06-15 12:00:00.5+00"),
                        Sql.rows(s, "SELECT ancient::text, far::text FROM kinds_more WHERE id = 3").get(0));
                assertEquals(String.valueOf(names.size()), rows.get(1).get(2));
                List<String> wrong = new java.util.ArrayList<>();
                for (int i = 0; i < columns.length; i++) {
                    if (!"true".equals(rows.get(0).get(3 + i))) {
                        wrong.add(columns[i][0] + " = " + Sql.rows(s, "SELECT " + columns[i][0] + "::text FROM kinds_more WHERE id = 1")
                                .get(0).get(0) + " (expected " + columns[i][2] + ")");
                    }
                }
                assertEquals(List.of(), wrong, "columns whose value did not come back as written");
            }
        });
    }

    @Test
    @Order(26)
    void aRollbackThatCannotRevertTheSwitchLiftsTheNewPrimarysFenceAndStaysCompleted() throws Exception {
        awaitReverseRunning();
        String id = given().get("/cutover").path("id");
        // The webhook receiver of the cutover (order 20) is gone: its revert fails before anything was reverted.
        authorized().post("/rollback").then().statusCode(202);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
                given().get("/cutover").jsonPath().getList("transitions.state").stream().filter("COMPLETED"::equals).count() == 2);
        given().get("/cutover").then().body("id", equalTo(id)).body("state", equalTo("COMPLETED"))
                .body("transitions[-1].note", containsString("rollback failed"))
                .body("transitions[-1].note", containsString("the new primary's fence was lifted"));
        try (Connection t = engine().connect(database())) {
            assertEquals("0", Sql.rows(t, "SELECT @@GLOBAL.read_only").get(0).get(0), "the target takes writes again");
        }
        assertEquals(java.util.Map.of("app", "mysql"), kubernetes.getClient().services().inNamespace("shop")
                .withName("app-database").get().getSpec().getSelector(), "the application still talks to the target");
        awaitReverseRunning();
    }

}
