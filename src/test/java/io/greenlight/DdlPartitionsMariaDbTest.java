package io.greenlight;

import io.greenlight.testing.DdlPartitionsTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link DdlPartitionsTest} with a MariaDB target. */
@QuarkusTest
@WithTestResource(DdlPartitionsTestResource.class)
class DdlPartitionsMariaDbTest extends DdlPartitionsTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return DdlPartitionsTestResource.DATABASE;
    }
}
