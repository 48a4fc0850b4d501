package io.greenlight;

import io.greenlight.testing.DdlPartitionsTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link DdlPartitionsTest} with a PostgreSQL target. */
@QuarkusTest
@WithTestResource(DdlPartitionsTestResource.OnPostgres.class)
class DdlPartitionsPostgresTest extends DdlPartitionsTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected String database() {
        return DdlPartitionsTestResource.OnPostgres.DATABASE;
    }
}
