package io.greenlight;

import io.greenlight.testing.PoisonTestResource;
import io.greenlight.testing.TargetEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PoisonTest} with a PostgreSQL target, whose prices.amount was made numeric(6,2) before
 * the start: an amount of a million overflows it.
 */
@QuarkusTest
@WithTestResource(PoisonTestResource.OnPostgres.class)
class PoisonPostgresTest extends PoisonTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected String database() {
        return PoisonTestResource.OnPostgres.DATABASE;
    }

    @Override
    protected String poisonAmount() {
        return "1000000.5";
    }

    @Override
    protected void assertRefusedAmount(String error) {
        assertTrue(error.contains("numeric field overflow"), error);
        assertTrue(error.contains("public.prices"), error);
    }

    @Override
    protected String targetOnlyEmailIndex() {
        return "CREATE UNIQUE INDEX accounts_email ON accounts (email)";
    }

    @Override
    protected String widenLabelsName() {
        return "ALTER TABLE labels ALTER COLUMN name TYPE varchar(10)";
    }
}
