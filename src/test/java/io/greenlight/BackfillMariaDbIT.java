package io.greenlight;

import io.greenlight.testing.TargetEngine;

/** {@link BackfillIT} with a MariaDB target. */
class BackfillMariaDbIT extends BackfillIT {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }
}
