package io.greenlight.verify;

import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.util.List;

/** {@link HashedRangesTest} against a PostgreSQL target: both sides hash each value's own text. */
class HashedRangesPostgresTest extends HashedRangesTest {

    HashedRangesPostgresTest() {
        super(TargetEngine.POSTGRES);
    }

    @Override
    Dialect dialect() {
        return new PostgresDialect();
    }

    @Override
    boolean hashesFloats() {
        return true;
    }

    @Override
    DataSource targetDataSource(String database) {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(TestServers.get().targetPostgres().jdbcUrl(database));
        pg.setUser("postgres");
        return pg;
    }

    @Override
    List<String> targetRows(int rows) {
        return List.of(FACTS_PG_ROWS.formatted(rows));
    }

    @Override
    List<String> enginePlantedDifferences() {
        return List.of(
                "UPDATE facts SET price = price + '0.01'::money WHERE id = 13",
                "UPDATE facts SET payload = decode('000000ff', 'hex') WHERE id = 19",
                "UPDATE facts SET born = born + 1 WHERE id = 20",
                "UPDATE facts SET at = at + interval '1 microsecond' WHERE id = 22",
                "UPDATE facts SET happened = happened + interval '1 microsecond' WHERE id = 23",
                "UPDATE facts SET happened_tz = happened_tz + interval '1 hour' WHERE id = 24");
    }
}
