package io.greenlight.backfill;

import io.greenlight.testing.TargetEngine;

/** {@link BulkCopyTest} with MariaDB as the target (LOAD DATA LOCAL). */
class BulkCopyMariaDbTest extends BulkCopyTest {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }
}
