package io.greenlight;

import io.greenlight.testing.SchemaTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link SchemaPipelineTest} with a MariaDB target. */
@QuarkusTest
@WithTestResource(SchemaTestResource.class)
class SchemaPipelineMariaDbTest extends SchemaPipelineTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return SchemaTestResource.DATABASE;
    }
}
