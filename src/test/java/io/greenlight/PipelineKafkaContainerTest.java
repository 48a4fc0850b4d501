package io.greenlight;

import io.greenlight.testing.GreenlightTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@link PipelineTest} through a Kafka broker in a container (an external cluster, as in
 * production) to the MariaDB target; skipped where Docker is missing.
 */
@QuarkusTest
@WithTestResource(GreenlightTestResource.OnKafkaContainer.class)
@Testcontainers(disabledWithoutDocker = true)
class PipelineKafkaContainerTest extends PipelineTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }

    @Override
    protected String database() {
        return GreenlightTestResource.OnKafkaContainer.DATABASE;
    }
}
