package io.greenlight;

import io.greenlight.testing.MySql8Target;
import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.TargetDatabase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.testcontainers.junit.jupiter.Testcontainers;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PoisonTest} with a MySQL 8 target in a container (an unconstrained numeric beyond
 * DECIMAL(65,30) does not fit, as on MariaDB); skipped where Docker is missing.
 */
@QuarkusTest
@WithTestResource(PoisonTestResource.OnMySql8.class)
@Testcontainers(disabledWithoutDocker = true)
class PoisonMySql8Test extends PoisonTest {

    @Override
    protected TargetDatabase engine() {
        return MySql8Target.INSTANCE;
    }

    @Override
    protected String database() {
        return PoisonTestResource.OnMySql8.DATABASE;
    }

    @Override
    protected String poisonAmount() {
        return PoisonTestResource.TOO_PRECISE;
    }

    @Override
    protected void assertRefusedAmount(String error) {
        assertTrue(error.contains("Column public.prices.amount (numeric)"), error);
        assertTrue(error.contains("does not fit DECIMAL(65,30)"), error);
        assertTrue(error.contains("greenlight.types.lossy-accept=public.prices.amount"), error);
    }

    @Override
    protected String targetOnlyEmailIndex() {
        return "CREATE UNIQUE INDEX accounts_email ON accounts (email(100))";
    }

    @Override
    protected String widenLabelsName() {
        return "ALTER TABLE labels MODIFY name VARCHAR(10)";
    }
}
