package io.greenlight.cutover;

import io.greenlight.testing.CutoverTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** {@link CutoverTest} with a PostgreSQL (a second cluster) target. */
@QuarkusTest
@WithTestResource(CutoverTestResource.OnPostgres.class)
@WithKubernetesTestServer(crud = true)
class CutoverPostgresTest extends CutoverTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected String database() {
        return CutoverTestResource.OnPostgres.DATABASE;
    }
}
