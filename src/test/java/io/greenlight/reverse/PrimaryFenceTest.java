package io.greenlight.reverse;

import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rollback's fence of a MySQL/MariaDB new primary, against the real (shared) MariaDB. */
class PrimaryFenceTest {

    private final TestServers servers = TestServers.get();

    @Test
    void onlyTheSessionsOfTheCutoversFenceRolesAreEnded() throws Exception {
        try (Connection root = servers.mariadb.connect("")) {
            Sql.exec(root, "CREATE USER IF NOT EXISTS 'fence_app'@'%'", "CREATE USER IF NOT EXISTS 'fence_reporting'@'%'");
            PrimaryFence fence = new PrimaryFence(root);
            List<String> undo = fence.plan();
            try (Connection app = connectAs("fence_app"); Connection reporting = connectAs("fence_reporting")) {
                try {
                    assertTrue(fence.apply("root", List.of("fence_app")) >= 1, "the application's session is ended");
                    await().atMost(Duration.ofSeconds(30)).until(() -> fence.stillConnected("root", List.of("fence_app")) == 0);
                    assertTrue(!app.isValid(5), "the application's session is gone");
                    assertEquals("1", Sql.rows(reporting, "SELECT 1").get(0).get(0), "a session of another user goes on");
                    assertEquals("1", Sql.rows(root, "SELECT @@GLOBAL.read_only").get(0).get(0));
                } finally {
                    fence.lift(undo);
                }
            }
            assertEquals("0", Sql.rows(root, "SELECT @@GLOBAL.read_only").get(0).get(0));
        }
    }

    private Connection connectAs(String user) throws SQLException {
        Properties props = new Properties();
        props.put("user", user);
        props.put("password", "");
        return new com.mysql.cj.jdbc.Driver().connect(servers.mariadb.jdbcUrl(""), props);
    }
}
