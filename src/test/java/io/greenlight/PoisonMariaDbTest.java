package io.greenlight;

import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link PoisonTest} with a MariaDB target: an unconstrained numeric beyond DECIMAL(65,30) does not fit. */
@QuarkusTest
@WithTestResource(PoisonTestResource.class)
class PoisonMariaDbTest extends PoisonMySqlFamilyTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return "poison";
    }
}
