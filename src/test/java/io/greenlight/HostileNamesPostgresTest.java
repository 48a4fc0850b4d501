package io.greenlight;

import io.greenlight.testing.HostileNamesTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link HostileNamesTest} with a PostgreSQL target. */
@QuarkusTest
@WithTestResource(HostileNamesTestResource.OnPostgres.class)
class HostileNamesPostgresTest extends HostileNamesTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected String database() {
        return HostileNamesTestResource.OnPostgres.DATABASE;
    }
}
