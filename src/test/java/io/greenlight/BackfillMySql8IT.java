package io.greenlight;

import io.greenlight.testing.MySql8Target;
import io.greenlight.testing.TargetDatabase;
import org.testcontainers.junit.jupiter.Testcontainers;

/** {@link BackfillIT} with a MySQL 8 target in a container; skipped where Docker is missing. */
@Testcontainers(disabledWithoutDocker = true)
class BackfillMySql8IT extends BackfillIT {

    @Override
    protected TargetDatabase engine() {
        return MySql8Target.INSTANCE;
    }
}
