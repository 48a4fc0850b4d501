package io.greenlight;

import io.greenlight.testing.GreenlightTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link LagTest} with a MariaDB target. */
@QuarkusTest
@WithTestResource(GreenlightTestResource.class)
class LagMariaDbTest extends LagTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return GreenlightTestResource.DATABASE;
    }
}
