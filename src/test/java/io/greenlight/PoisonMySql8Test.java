package io.greenlight;

import io.greenlight.testing.MySql8Target;
import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.TargetDatabase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@link PoisonTest} with a MySQL 8 target in a container (an unconstrained numeric beyond
 * DECIMAL(65,30) does not fit, as on MariaDB); skipped where Docker is missing.
 */
@QuarkusTest
@WithTestResource(PoisonTestResource.OnMySql8.class)
@Testcontainers(disabledWithoutDocker = true)
class PoisonMySql8Test extends PoisonMySqlFamilyTest {

    @Override
    protected TargetDatabase engine() {
        return MySql8Target.INSTANCE;
    }

    @Override
    protected String database() {
        return PoisonTestResource.OnMySql8.DATABASE;
    }
}
