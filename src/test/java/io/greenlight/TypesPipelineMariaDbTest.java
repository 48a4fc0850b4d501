package io.greenlight;

import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TypesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link TypesPipelineTest} with a MariaDB target. */
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
}
