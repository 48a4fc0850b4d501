package io.greenlight;

import io.greenlight.testing.TargetEngine;

import java.util.List;

/**
 * {@link RollbackRestartIT} with a PostgreSQL new primary (pgoutput capture, the READ_ONLY fence of
 * ALTER DATABASE). Killed at the steps whose work differs by engine: fencing the new primary,
 * draining its reverse stream, reading its sequences back. Reverting the switch action and lifting
 * the source's fence run the same code for both engines and are killed in the MariaDB run
 * (-Dgreenlight.rollback-restart.steps runs any of them here too).
 */
class RollbackRestartPostgresIT extends RollbackRestartIT {

    @Override
    protected TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }

    @Override
    protected List<Step> steps() {
        return List.of(Step.FENCING_THE_NEW_PRIMARY, Step.DRAINING, Step.SYNCING_SEQUENCES);
    }
}
