package io.greenlight.connect;

import io.greenlight.testing.TargetEngine;

class ConnectSinkPostgresTest extends ConnectSinkTest {

    @Override
    TargetEngine engine() {
        return TargetEngine.POSTGRES;
    }
}
