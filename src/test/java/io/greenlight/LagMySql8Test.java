package io.greenlight;

import io.greenlight.testing.GreenlightTestResource;
import io.greenlight.testing.MySql8Target;
import io.greenlight.testing.TargetDatabase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.testcontainers.junit.jupiter.Testcontainers;

/** {@link LagTest} with a MySQL 8 target in a container; skipped where Docker is missing. */
@QuarkusTest
@WithTestResource(GreenlightTestResource.OnMySql8.class)
@Testcontainers(disabledWithoutDocker = true)
class LagMySql8Test extends LagTest {

    @Override
    protected TargetDatabase engine() {
        return MySql8Target.INSTANCE;
    }

    @Override
    protected String database() {
        return GreenlightTestResource.OnMySql8.DATABASE;
    }
}
