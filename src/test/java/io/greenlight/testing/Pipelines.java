package io.greenlight.testing;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Waiting on the in-JVM Greenlight of a @QuarkusTest through its HTTP API. */
public final class Pipelines {

    /** How long a change may take to cross the pipeline in a test. */
    public static final Duration CONVERGE = Duration.ofSeconds(90);

    private Pipelines() {
    }

    /** Until /status says STREAMING; fails at once if the pipeline FAILED. */
    public static void awaitStreaming() {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250))
                .failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> given().get("/status").then().statusCode(200).body("phase", equalTo("STREAMING")));
    }

    public static boolean failed() {
        return "FAILED".equals(given().get("/status").path("phase"));
    }
}
