package io.greenlight;

import io.greenlight.testing.SchemaTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link SchemaPipelineTest} with a PostgreSQL target (a second cluster). */
@QuarkusTest
@WithTestResource(SchemaTestResource.OnPostgres.class)
class SchemaPipelinePostgresTest extends SchemaPipelineTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected String database() {
        return SchemaTestResource.OnPostgres.DATABASE;
    }
}
