package io.greenlight.verify;

import com.mysql.cj.jdbc.MysqlDataSource;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.MySqlDialect;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;

import javax.sql.DataSource;
import java.util.List;

/** {@link HashedRangesTest} against a MariaDB target: one canonical text per value built by both engines. */
class HashedRangesMariaDbTest extends HashedRangesTest {

    HashedRangesMariaDbTest() {
        super(TargetEngine.MARIADB);
    }

    @Override
    Dialect dialect() {
        return new MySqlDialect();
    }

    @Override
    boolean hashesFloats() {
        return false;
    }

    @Override
    DataSource targetDataSource(String database) {
        MysqlDataSource my = new MysqlDataSource();
        my.setUrl(TestServers.get().mariadb.jdbcUrl(database));
        my.setUser("root");
        my.setPassword("");
        return my;
    }

    @Override
    List<String> targetRows(int rows) {
        return List.of("""
                INSERT INTO facts WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d)
                SELECT g, g * 3, g * 1.5, g / 8.0, g * 1.25, g %% 2 = 0, CONCAT('name ', g), CONCAT('l', g), CONCAT('c', g %% 100),
                  UNHEX(LPAD(HEX(g), 8, '0')), DATE '2024-01-01' + INTERVAL g DAY, ADDTIME(TIME '10:00:00.5', SEC_TO_TIME(g)),
                  TIMESTAMP '2024-01-01 00:00:00.123456' + INTERVAL g MINUTE, TIMESTAMP '2024-03-31 00:30:00.5' + INTERVAL g HOUR,
                  CONCAT('{"a": ', g, ', "b": "x', g, '"}'),
                  CONCAT_WS('-', SUBSTR(MD5(g), 1, 8), SUBSTR(MD5(g), 9, 4), SUBSTR(MD5(g), 13, 4), SUBSTR(MD5(g), 17, 4),
                    SUBSTR(MD5(g), 21))
                FROM s""".formatted(rows));
    }

    @Override
    List<String> enginePlantedDifferences() {
        return List.of(
                "UPDATE facts SET price = price + 0.01 WHERE id = 13",
                "UPDATE facts SET payload = UNHEX('000000FF') WHERE id = 19",
                "UPDATE facts SET born = born + INTERVAL 1 DAY WHERE id = 20",
                "UPDATE facts SET at = ADDTIME(at, '00:00:00.000001') WHERE id = 22",
                "UPDATE facts SET happened = happened + INTERVAL 1 MICROSECOND WHERE id = 23",
                "UPDATE facts SET happened_tz = happened_tz + INTERVAL 1 HOUR WHERE id = 24");
    }
}
