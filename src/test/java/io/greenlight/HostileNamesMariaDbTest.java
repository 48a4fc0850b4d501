package io.greenlight;

import io.greenlight.testing.HostileNamesTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link HostileNamesTest} with a MariaDB target. */
@QuarkusTest
@WithTestResource(HostileNamesTestResource.class)
class HostileNamesMariaDbTest extends HostileNamesTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return HostileNamesTestResource.DATABASE;
    }
}
