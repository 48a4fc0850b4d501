package io.greenlight;

import io.greenlight.testing.PoisonTestResource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PoisonTest} on a MySQL-family target (MariaDB, MySQL 8): an unconstrained numeric beyond
 * DECIMAL(65,30) does not fit, and the target's own DDL is MySQL's.
 */
abstract class PoisonMySqlFamilyTest extends PoisonTest {

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
