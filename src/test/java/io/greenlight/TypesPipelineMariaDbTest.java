package io.greenlight;

import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TypesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** {@link TypesPipelineTest} with a MariaDB target (its profile sets no API token). */
@QuarkusTest
@WithTestResource(TypesTestResource.class)
class TypesPipelineMariaDbTest extends TypesPipelineTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return TypesTestResource.DATABASE;
    }

    @Test
    void withoutAnApiTokenConfiguredACutoverIsRefusedNamingTheKey() {
        given().contentType("application/json").body("{}").post("/cutover").then().statusCode(403)
                .body("detail", containsString("greenlight.api.token is not set"));
        given().get("/cutover").then().statusCode(equalTo(404));
    }
}
