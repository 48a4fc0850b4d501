package io.greenlight;

import io.greenlight.testing.DdlCaptureOffTestResource;
import io.greenlight.testing.Pipelines;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static io.greenlight.testing.Pipelines.CONVERGE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * greenlight.schema.ddl-capture=off on a source where Greenlight's user may not create event triggers:
 * the start goes on without them, /status warns what that costs, and schema changes are inferred from
 * the changes' columns. The setting does not depend on the target engine: one (MariaDB) suffices.
 */
@QuarkusTest
@WithTestResource(DdlCaptureOffTestResource.class)
class DdlCaptureOffTest {

    @Test
    void withoutTheTriggersTheMigrationRunsWarnsInStatusAndInfersAnAddedColumn() throws Exception {
        Pipelines.awaitStreaming();
        given().get("/status").then().statusCode(200)
                .body("warnings", hasItem(containsString("greenlight.schema.ddl-capture=off")))
                .body("warnings[0]", containsString("RENAME COLUMN"));
        try (Connection source = source()) {
            assertEquals(List.of(List.of("0")), Sql.rows(source, "SELECT count(*) FROM pg_event_trigger"), "no trigger installed");
            Sql.exec(source, "ALTER TABLE items ADD COLUMN color text", "INSERT INTO items VALUES (21, 'new', 'red')",
                    "UPDATE items SET label = 'changed' WHERE id = 1");
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .failFast("the pipeline FAILED", Pipelines::failed)
                .untilAsserted(() -> {
                    try (Connection source = source(); Connection target = TargetEngine.MARIADB.connect(DdlCaptureOffTestResource.DATABASE)) {
                        String query = "SELECT id, label, color FROM items ORDER BY id";
                        Sql.assertSameRows(Sql.rows(source, query), Sql.rows(target, query));
                    }
                });
    }

    private static Connection source() throws Exception {
        return TestServers.get().postgres.connect(DdlCaptureOffTestResource.DATABASE);
    }
}
