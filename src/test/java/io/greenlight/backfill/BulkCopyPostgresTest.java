package io.greenlight.backfill;

import io.greenlight.testing.TargetEngine;

/** {@link BulkCopyTest} with PostgreSQL as the target (COPY FROM STDIN). */
class BulkCopyPostgresTest extends BulkCopyTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }
}
