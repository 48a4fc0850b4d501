package io.greenlight.reverse;

import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The target's binlog settings reverse replication needs, checked against the real MariaDB. */
class BinlogPreflightTest {

    private final TestServers servers = TestServers.get();

    @Test
    void aBinlogInRowFormatWithFullImagesPasses() throws Exception {
        try (Connection c = servers.mariadb.connect("")) {
            assertEquals(List.of(), BinlogPreflight.problems(c));
        }
    }

    @Test
    void partialRowImagesAreNamedWithTheStatementThatFixesThem() throws Exception {
        try (Connection c = servers.mariadb.connect("")) {
            Sql.exec(c, "SET GLOBAL binlog_row_image = 'MINIMAL'");
            try {
                List<String> problems = BinlogPreflight.problems(c);
                assertEquals(1, problems.size(), problems.toString());
                assertTrue(problems.get(0).contains("binlog_row_image is MINIMAL"), problems.get(0));
                assertTrue(problems.get(0).contains("SET GLOBAL binlog_row_image = 'FULL';"), problems.get(0));
            } finally {
                Sql.exec(c, "SET GLOBAL binlog_row_image = 'FULL'"); // the advised remedy
            }
            assertEquals(List.of(), BinlogPreflight.problems(c));
        }
    }

    @Test
    void thePositionNamesTheBinlogFileOffsetAndGtidSet() throws Exception {
        try (Connection c = servers.mariadb.connect("")) {
            Sql.exec(c, "CREATE DATABASE IF NOT EXISTS binlog_probe", "DROP DATABASE binlog_probe"); // at least one transaction
            BinlogPosition position = BinlogPosition.current(c);
            assertTrue(position.file().startsWith("mysql-bin."), position.toString());
            assertTrue(position.pos() > 0, position.toString());
            assertEquals(position.gtid(), position.offset().get("gtids"));
        }
    }
}
