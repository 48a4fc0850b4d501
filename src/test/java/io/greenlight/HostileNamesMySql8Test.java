package io.greenlight;

import io.greenlight.testing.HostileNamesTestResource;
import io.greenlight.testing.MySql8Target;
import io.greenlight.testing.TargetDatabase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.testcontainers.junit.jupiter.Testcontainers;

/** {@link HostileNamesTest} with a MySQL 8 target in a container; skipped where Docker is missing. */
@QuarkusTest
@WithTestResource(HostileNamesTestResource.OnMySql8.class)
@Testcontainers(disabledWithoutDocker = true)
class HostileNamesMySql8Test extends HostileNamesTest {

    @Override
    protected TargetDatabase engine() {
        return MySql8Target.INSTANCE;
    }

    @Override
    protected String database() {
        return HostileNamesTestResource.OnMySql8.DATABASE;
    }
}
