package io.greenlight.cutover;

import io.greenlight.testing.CutoverTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** {@link CutoverTest} with a MariaDB target. */
@QuarkusTest
@WithTestResource(CutoverTestResource.class)
@WithKubernetesTestServer(crud = true)
class CutoverMariaDbTest extends CutoverTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return CutoverTestResource.DATABASE;
    }
}
