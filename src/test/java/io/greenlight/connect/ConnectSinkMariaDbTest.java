package io.greenlight.connect;

import io.greenlight.testing.TargetEngine;

class ConnectSinkMariaDbTest extends ConnectSinkTest {

    @Override
    TargetEngine engine() {
        return TargetEngine.MARIADB;
    }
}
