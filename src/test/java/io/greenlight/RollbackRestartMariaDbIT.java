package io.greenlight;

import io.greenlight.testing.TargetEngine;

/** {@link RollbackRestartIT} with a MariaDB new primary (binlog capture, read_only fence): killed at every step. */
class RollbackRestartMariaDbIT extends RollbackRestartIT {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.MARIADB;
    }
}
