package io.greenlight.cutover;

import io.greenlight.testing.CutoverTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
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
 * {@link CutoverTest} with a PostgreSQL (a second cluster) target: a blue/green switch, after which
 * the new primary's WAL is captured through pgoutput (a slot and publication of Greenlight's on the
 * target) and applied to the old source.
 */
@QuarkusTest
@WithTestResource(CutoverTestResource.OnPostgres.class)
@WithKubernetesTestServer(crud = true)
class CutoverPostgresTest extends CutoverTest {

    private final TestServers servers = TestServers.get();

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected String database() {
        return CutoverTestResource.OnPostgres.DATABASE;
    }

    @Test
    @Order(14)
    void aTargetTableWithoutReplicaIdentityRefusesTheCutoverBeforeAnythingIsFencedAndTheAdvisedFixWorks() throws Exception {
        String before = given().get("/cutover").path("id");
        String slots = "SELECT count(*) FROM pg_replication_slots";
        String slotsBefore;
        try (Connection t = engine().connect(database())) {
            slotsBefore = Sql.rows(t, slots).get(0).get(0);
            Sql.exec(t, "ALTER TABLE branches REPLICA IDENTITY NOTHING");
        }
        try {
            authorized().body("{\"maxLagSeconds\": 3600, \"stableSeconds\": 1}").post("/cutover").then().statusCode(409)
                    .body("detail", containsString("nothing was armed or fenced"))
                    .body("detail", containsString("Table public.branches on the target has REPLICA IDENTITY NOTHING"))
                    .body("detail", containsString("Run on the target: ALTER TABLE public.branches REPLICA IDENTITY DEFAULT;"))
                    .body("detail", containsString("\"giveUpRollback\": true"));
            assertEquals(before, given().get("/cutover").path("id"), "no cutover was armed");
            try (Connection s = TestServers.get().postgres.connect(database()); Connection t = engine().connect(database())) {
                String fenced = "SELECT count(*) FROM pg_db_role_setting d, unnest(d.setconfig) setting WHERE d.setdatabase = "
                        + "(SELECT oid FROM pg_database WHERE datname = current_database()) AND setting LIKE 'default_transaction_read_only%'";
                assertEquals("0", Sql.rows(s, fenced).get(0).get(0), "the source is not fenced");
                assertEquals("0", Sql.rows(t, fenced).get(0).get(0), "the target is not fenced");
                assertEquals(slotsBefore, Sql.rows(t, slots).get(0).get(0), "no slot was created on the target");
            }
            authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200)
                    .body("checks.find { it.name == 'rollbackPath' }.passed", equalTo(false));
        } finally {
            try (Connection t = engine().connect(database())) {
                Sql.exec(t, "ALTER TABLE public.branches REPLICA IDENTITY DEFAULT;"); // the remedy the message advises
            }
        }
        authorized().body("{\"dryRun\": true}").post("/cutover").then().statusCode(200)
                .body("checks.find { it.name == 'rollbackPath' }.passed", equalTo(true));
    }

    @Test
    @Order(15)
    void aTargetTransactionHoldingTheReverseSlotsCreationEndsTheSwitchWithinItsBudgetAndLiftsTheFence() throws Exception {
        double budget = 15;
        try (Connection open = engine().connect(database())) { // a session on the target left a write transaction open
            open.setAutoCommit(false);
            Sql.exec(open, "UPDATE branches SET name = name WHERE code = 'north'");
            String pid = Sql.rows(open, "SELECT pg_backend_pid()").get(0).get(0);
            long armed = System.nanoTime();
            authorized().body("""
                    {"maxLagSeconds": 3600, "stableSeconds": 1, "maxWriteBlockedSeconds": %s,
                     "fence": {"mode": "READ_ONLY", "roles": ["app_writer"]}}""".formatted(budget)).post("/cutover").then().statusCode(202);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .alias("the switch ends within its write-blocked budget while the target transaction stays open")
                    .until(() -> "FAILED".equals(given().get("/cutover").path("state")));
            System.out.printf("slot creation held by a target transaction: FAILED %.1f s after arming%n", (System.nanoTime() - armed) / 1e9);
            given().get("/cutover").then()
                    .body("reason", containsString("reverse replication slot"))
                    .body("reason", containsString("pid " + pid))
                    .body("reason", containsString("SELECT pg_terminate_backend(" + pid + ");"))
                    .body("reason", containsString("the fence was lifted"))
                    .body("fenceUp", equalTo(false))
                    .body("transitions.state", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("SWITCHING")));
            double blocked = given().get("/cutover").jsonPath().getDouble("writeBlockedSeconds");
            assertTrue(blocked < budget + 10, "writes were blocked for " + blocked + " s, past the budget of " + budget + " s");
            try (Connection t = engine().connect(database())) {
                assertEquals(List.of(), Sql.rows(t, "SELECT slot_name FROM pg_replication_slots WHERE database = current_database()"),
                        "no reverse slot is left on the target");
            }
            open.rollback();
        }
        appWrite(); // the source takes the application's writes again
    }

    @Test
    @Order(23)
    void valuesOfEachReadmeTypeFamilyWrittenOnTheNewPrimaryComeBackEqualOnTheOldSource() throws Exception {
        awaitReverseRunning();
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "INSERT INTO kinds VALUES (1, 12.5000, 1.500, '2024-02-29 23:59:59.123456+05:30', '1970-01-01 00:00:00',"
                            + " '2024-02-29', '{\"a\": [1.50, \"😀\"], \"b\": null}', '{1,NULL,-3}', '{x,NULL,\"a \\\"q\\\" , c\",\"\"}',"
                            + " 'happy', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff0a275c', '1 year 2 mons 3 days 04:05:06.78',"
                            + " '\"a\"=>\"1\", \"b\"=>NULL', '192.168.0.1/24', true, 0.1)",
                    "INSERT INTO kinds VALUES (2, -0.0001, 123456789012345678901234567890.000000000000000000000000000001000,"
                            + " '0001-01-01 00:00:00+00', '2262-04-11 23:47:16.854775', '0044-03-15 BC', '[]', '{}', '{\"\"}',"
                            + " 'sad', '00000000-0000-0000-0000-000000000000', '', '-1 days +02:03:00', '', '::1', false, -1.5e-300)",
                    "INSERT INTO kinds (id) VALUES (3)",
                    // an update on the new primary reaches the old source as the whole new row
                    "UPDATE kinds SET doc = '{\"a\": {\"nested\": [true, false]}}', ints = '{7}', span = '-00:00:00.000001' WHERE id = 1");
        }
        awaitSameOnBothSides("kinds", "id, amount::text, plain::text, at::text, stamp::text, day::text, doc::text, ints::text,"
                + " words::text, feeling::text, ref::text, encode(raw, 'hex'), span::text, attrs::text, addr::text, flag::text,"
                + " ratio::text", 3);
        try (Connection s = servers.postgres.connect(database())) {
            Sql.exec(s, "SET TIME ZONE 'UTC'", "SET intervalstyle = 'postgres'");
            assertEquals(List.of("1", "12.5000", "1.500", "2024-02-29 18:29:59.123456+00", "{7}", "-00:00:00.000001"), Sql.rows(s,
                    "SELECT id, amount::text, plain::text, at::text, ints::text, span::text FROM kinds WHERE id = 1").get(0),
                    "numeric scale, the timestamptz's instant in UTC, the update's array and interval");
        }
    }

    @Test
    @Order(25)
    void valuesOfTheTypesAProductionDatabaseAlsoHoldsComeBackEqualOnTheOldSource() throws Exception {
        awaitReverseRunning();
        String columns = "id, pos, cash, name, during, nums, nan, inf, far, clock, bits, moods, days, raw, big, ancient, midnight,"
                + " net, mac, doc, small, fixed, terms, amounts, docs, stamps, spans, pt, area, ranges, nr, dr, ids, blobs, mac8";
        try (Connection t = engine().connect(database())) {
            Sql.exec(t, "INSERT INTO kinds_more (" + columns + ") VALUES (1, 7, 12.34, 'MiXeD Case',"
                            + " '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+05:30)', '[1,10)', 'NaN', 'Infinity', 'infinity',"
                            + " '10:15:30+05:30', B'1011', '{happy,sad}', '{2024-02-29,NULL}', '{\"b\": 1,  \"a\" : [1.50]}',"
                            + " 12345678901234567890.12345678901234567890, '0044-03-15 BC', '24:00:00', '10.0.0.0/8',"
                            + " '08:00:2b:01:02:03', '<a x=\"1\">t &amp; u</a>', 1.5, 'ab', 'fat:1 cat:2',"
                            + " '{1.50,NULL}', ARRAY['{\"k\": 1}'::jsonb, NULL], '{\"2024-01-01 00:00:00+05\",infinity}',"
                            + " '{\"1 day\",\"-00:00:01\",NULL}', '(1.5,-2)', '((1,2),(3,4))', '{[1,3),[5,7)}', '(1.5,2.25]',"
                            + " '[2024-01-01,2024-02-01)', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}', ARRAY['\\x00ff'::bytea, NULL],"
                            + " '08:00:2b:01:02:03:04:05')",
                    "INSERT INTO kinds_more (" + columns + ") VALUES (2, 2147483647, -1234567890123.45, '', 'empty', 'empty',"
                            + " '-Infinity', '-Infinity', '-infinity', '00:00:00+00', B'', '{}', '{}', '[]',"
                            + " -0.00000000000000000001, '4713-01-01 BC', '00:00:00', '::1/128', '00:00:00:00:00:00', '', -3.4e38,"
                            + " 'abcde', '', '{}', '{}', '{}', '{}', '(0,0)', '((0,0),(0,0))', '{}', 'empty', 'empty', '{}', '{}',"
                            + " '00:00:00:00:00:00:00:00')",
                    "INSERT INTO kinds_more (id) VALUES (3)",
                    "UPDATE kinds_more SET name = 'changed', nan = 1.0 WHERE id = 2");
        }
        awaitSameOnBothSides("kinds_more", "id, pos::text, cash::numeric::text, name::text, during::text, nums::text, nan::text,"
                + " inf::text, far::text, bits::text, moods::text, days::text, raw::text, big::text, ancient::text, midnight::text,"
                + " net::text, mac::text, doc::text, small::text, fixed::text, terms::text, amounts::text, docs::text, stamps::text,"
                + " spans::text, pt::text, area::text, ranges::text, nr::text, dr::text, ids::text, blobs::text, mac8::text", 3);
        try (Connection s = servers.postgres.connect(database())) {
            Sql.exec(s, "SET TIME ZONE 'UTC'");
            // The old source computes its generated column; the connector hands timetz over in UTC (the same instant, offset +00).
            assertEquals(List.of(List.of("1", "2", "04:45:30+00"), List.of("2", "4", "00:00:00+00"), java.util.Arrays.asList("3", "6", null)),
                    Sql.rows(s, "SELECT id, total::text, clock::text FROM kinds_more ORDER BY id"));
        }
    }

    /** The table's rows (as text in the same session settings) are the same on the new primary and the old source. */
    private void awaitSameOnBothSides(String table, String columns, int rows) {
        String query = "SELECT " + columns + " FROM " + table + " ORDER BY id";
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            try (Connection s = servers.postgres.connect(database()); Connection t = engine().connect(database())) {
                for (Connection c : List.of(s, t)) {
                    Sql.exec(c, "SET TIME ZONE 'UTC'", "SET intervalstyle = 'postgres'", "SET datestyle = 'ISO, MDY'");
                }
                List<List<String>> onTarget = Sql.rows(t, query);
                assertEquals(rows, onTarget.size(), "the rows on the new primary: " + onTarget);
                Sql.assertSameRows(onTarget, Sql.rows(s, query));
            }
        });
    }
}
