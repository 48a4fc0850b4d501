package io.greenlight;

import io.greenlight.testing.Pipelines;
import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.greenlight.testing.PoisonTestResource.TOO_PRECISE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** greenlight.apply.on-error=stop-pipeline: a change the target cannot take stops all of apply, naming it. */
@QuarkusTest
@WithTestResource(PoisonTestResource.StopPipeline.class)
class PoisonStopPipelineTest {

    private static final String DATABASE = "poison_stop";

    private final TestServers servers = TestServers.get();

    @Test
    void aValueThatDoesNotFitStopsThePipelineNamingTableKeyAndLsnAndNothingAfterItIsApplied() throws Exception {
        Pipelines.awaitStreaming();
        try (Connection source = servers.postgres.connect(DATABASE)) {
            Sql.exec(source, "INSERT INTO prices VALUES (1, 1.5)");
            await().atMost(CONVERGE).until(() -> rows("SELECT id FROM prices").size() == 1);
            source.setAutoCommit(false);
            Sql.exec(source, "INSERT INTO prices VALUES (2, " + TOO_PRECISE + ")", "INSERT INTO notes VALUES (2, 'same transaction')");
            source.commit();
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().get("/status").then()
                .body("phase", equalTo("FAILED"))
                .body("applyRunning", equalTo(false))
                .body("failure.component", equalTo("apply"))
                .body("failure.reason", containsString("greenlight.apply.on-error=stop-pipeline"))
                .body("failure.reason", containsString("public.prices key {id=2}, LSN "))
                .body("failure.reason", containsString("does not fit DECIMAL(65,30)")));
        assertEquals(List.of(List.of("1")), rows("SELECT id FROM prices ORDER BY id"));
        assertEquals(List.of(List.of("1")), rows("SELECT id FROM notes ORDER BY id"), "the batch with the poison is not written");
    }

    private List<List<String>> rows(String query) throws Exception {
        try (Connection target = servers.mariadb.connect(DATABASE)) {
            return Sql.rows(target, query);
        }
    }
}
