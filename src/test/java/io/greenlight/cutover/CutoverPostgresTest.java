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

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link CutoverTest} with a PostgreSQL (a second cluster) target: a blue/green switch, after which
 * the new primary's WAL is captured through pgoutput (a slot and publication of Greenlight's on the
 * target) and applied to the old source.
 */
@QuarkusTest
@WithTestResource(CutoverTestResource.OnPostgres.class)
@WithKubernetesTestServer(crud = true)
class CutoverPostgresTest extends CutoverTest {

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
}
