package io.greenlight.cutover;

import io.greenlight.testing.CutoverTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/**
 * {@link CutoverTest} with a PostgreSQL (a second cluster) target. Reverse replication from a
 * PostgreSQL new primary is not built yet, so the suite's cutovers give the rollback path up
 * explicitly ({@code "giveUpRollback": true} added to each POST /cutover that does not say).
 */
@QuarkusTest
@WithTestResource(CutoverTestResource.OnPostgres.class)
@WithKubernetesTestServer(crud = true)
class CutoverPostgresTest extends CutoverTest {

    private static final Filter GIVE_UP_ROLLBACK = (request, response, context) -> {
        Object body = request.getBody();
        if ("POST".equals(request.getMethod()) && request.getURI().contains("/cutover") && body instanceof String json
                && json.trim().startsWith("{") && json.trim().endsWith("}") && !json.contains("giveUpRollback")) {
            String inner = json.trim().substring(1);
            request.body("{\"giveUpRollback\": true" + (inner.trim().equals("}") ? "" : ", ") + inner);
        }
        return context.next(request, response);
    };

    @BeforeAll
    static void giveUpRollback() {
        RestAssured.filters(GIVE_UP_ROLLBACK);
    }

    @AfterAll
    static void keepRollback() {
        RestAssured.replaceFiltersWith(RestAssured.filters().stream().filter(f -> f != GIVE_UP_ROLLBACK).toList());
    }

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
    void withoutReverseReplicationACutoverIsRefusedUnlessTheRequestGivesRollbackUp() {
        given().contentType("application/json").header("Authorization", "Bearer " + CutoverTestResource.TOKEN)
                .body("{\"giveUpRollback\": false, \"maxLagSeconds\": 3600}").post("/cutover").then().statusCode(409)
                .body("detail", containsString("nothing was armed or fenced"))
                .body("detail", containsString("\"giveUpRollback\": true"));
    }
}
