package io.greenlight;

import io.greenlight.testing.GreenlightTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link PipelineTest} with a PostgreSQL target. */
@QuarkusTest
@WithTestResource(GreenlightTestResource.OnPostgres.class)
class PipelinePostgresTest extends PipelineTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected String database() {
        return GreenlightTestResource.OnPostgres.DATABASE;
    }
}
