package io.greenlight;

import io.greenlight.testing.HostileNamesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Tables whose Kafka topic names coincide are refused at start, naming both, instead of being merged. */
@QuarkusTest
@WithTestResource(HostileNamesTestResource.TopicClash.class)
class HostileNamesTopicClashTest {

    @Test
    void tablesThatWouldShareATopicAreRefusedAtStartNamingBoth() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> given().get("/status")
                .then().body("phase", equalTo("FAILED"))
                .body("failure.component", equalTo("startup"))
                .body("failure.reason", containsString("\"public\".\"a b\" and \"public\".\"a_b\" would share the Kafka topic "
                        + "hostile_clash.public.a_b")));
    }
}
