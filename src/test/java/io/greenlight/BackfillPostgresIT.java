package io.greenlight;

import io.greenlight.testing.TargetEngine;

/** {@link BackfillIT} with a PostgreSQL target. */
class BackfillPostgresIT extends BackfillIT {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }
}
