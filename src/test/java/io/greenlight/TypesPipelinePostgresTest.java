package io.greenlight;

import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TypesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link TypesPipelineTest} with a PostgreSQL target (a second cluster). */
@QuarkusTest
@WithTestResource(TypesTestResource.OnPostgres.class)
class TypesPipelinePostgresTest extends TypesPipelineTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected String database() {
        return TypesTestResource.OnPostgres.DATABASE;
    }
}
