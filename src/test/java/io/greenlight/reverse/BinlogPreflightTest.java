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
    void aTargetUserWithoutBinlogReadPrivilegesIsNamedWithTheGrantThatFixesIt() throws Exception {
        try (Connection root = servers.mariadb.connect("")) {
            Sql.exec(root, "DROP USER IF EXISTS 'gl_reverse_limited'@'%'", "CREATE USER 'gl_reverse_limited'@'%'",
                    "GRANT SELECT ON *.* TO 'gl_reverse_limited'@'%'");
            List<String> problems;
            try (Connection limited = connectAs("gl_reverse_limited")) {
                problems = BinlogPreflight.problems(limited);
            }
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).contains("lacks REPLICATION SLAVE, REPLICATION CLIENT"), problems.get(0));
            String grant = "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'gl_reverse_limited'@'%';";
            assertTrue(problems.get(0).contains("Run on the target: " + grant), problems.get(0));

            Sql.exec(root, grant); // the advised remedy
            try (Connection limited = connectAs("gl_reverse_limited")) {
                assertEquals(List.of(), BinlogPreflight.problems(limited));
                BinlogPosition position = BinlogPosition.current(limited); // what the binlog reader needs: the position...
                Sql.rows(limited, "SHOW BINLOG EVENTS IN '" + position.file() + "' LIMIT 1"); // ...and the events
            } finally {
                Sql.exec(root, "DROP USER 'gl_reverse_limited'@'%'");
            }
        }
    }

    private Connection connectAs(String user) throws java.sql.SQLException {
        java.util.Properties props = new java.util.Properties();
        props.put("user", user);
        props.put("password", "");
        return new com.mysql.cj.jdbc.Driver().connect(servers.mariadb.jdbcUrl(""), props);
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
