package io.greenlight.api;

import io.greenlight.testing.GreenlightTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Bad requests get a fitting status and the JSON error body {error, detail}, never HTML or an empty body. */
@QuarkusTest
@WithTestResource(GreenlightTestResource.class)
class ApiErrorsTest {

    /** A mutating call reaches the checks below only on the leader: a starting instance answers 503 (StandbyFilter). */
    @org.junit.jupiter.api.BeforeEach
    void awaitLeading() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> "LEADER".equals(given().get("/status").path("leader.role")));
    }

    private static RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + GreenlightTestResource.API_TOKEN).contentType(ContentType.JSON);
    }

    @Test
    void malformedJsonIs400Json() {
        authorized().body("{\"maxLagSeconds\": ").post("/cutover").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("Bad Request")).body("detail", containsString("not valid"));
    }

    @Test
    void unknownFieldIs400JsonNamingTheField() {
        authorized().body("{\"maxLag\": 1}").post("/cutover").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("Bad Request")).body("detail", containsString("maxLag"));
    }

    @Test
    void wrongTypeIs400Json() {
        authorized().body("{\"chunkSize\": \"many\"}").post("/verify").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("Bad Request"));
    }

    @Test
    void negativeThresholdIs400JsonNamingTheField() {
        authorized().body("{\"maxLagSeconds\": -1}").post("/cutover").then().statusCode(400).contentType(ContentType.JSON)
                .body("detail", containsString("maxLagSeconds"));
    }

    @Test
    void absurdThresholdIs400JsonNamingTheField() {
        authorized().body("{\"timeoutSeconds\": 1e12}").post("/cutover").then().statusCode(400).contentType(ContentType.JSON)
                .body("detail", containsString("timeoutSeconds"));
    }

    @Test
    void oversizedBodyIs413Json() {
        String big = "{\"tables\": [\"" + "x".repeat(100 * 1024) + "\"]}";
        authorized().body(big).post("/verify").then().statusCode(413).contentType(ContentType.JSON)
                .body("error", equalTo("Payload Too Large")).body("detail", containsString("max-body-size"));
    }

    @Test
    void unknownRouteIs404Json() {
        given().accept("text/html").get("/no/such/route").then().statusCode(404).contentType(ContentType.JSON)
                .body("error", equalTo("Not Found"));
    }

    @Test
    void unknownRouteWithTokenForAMutatingMethodIs404Json() {
        authorized().body("{}").post("/no/such/route").then().statusCode(404).contentType(ContentType.JSON)
                .body("error", equalTo("Not Found"));
    }

    @Test
    void wrongTokenIs401Json() {
        given().header("Authorization", "Bearer not-the-token").contentType(ContentType.JSON).body("{}").post("/verify")
                .then().statusCode(401).contentType(ContentType.JSON).header("WWW-Authenticate", "Bearer")
                .body("error", equalTo("Unauthorized"));
    }

    @Test
    void missingTokenIs401Json() {
        given().contentType(ContentType.JSON).body("{}").post("/cutover").then().statusCode(401).contentType(ContentType.JSON)
                .body("error", equalTo("Unauthorized"));
    }
}
