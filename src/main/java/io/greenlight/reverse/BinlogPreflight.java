package io.greenlight.reverse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a MySQL/MariaDB target's binary log lets reverse replication read every change made on
 * it once it is the primary: binlog on, ROW format, full row images, and Greenlight's user may read it. Each problem names the
 * setting, its value and the statement or server option that fixes it.
 */
public final class BinlogPreflight {

    private BinlogPreflight() {
    }

    /** Empty when the binlog is fit for reverse replication. */
    public static List<String> problems(Connection target) throws SQLException {
        String logBin;
        String format;
        String rowImage;
        try (Statement st = target.createStatement();
             ResultSet rs = st.executeQuery("SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image")) {
            rs.next();
            logBin = rs.getString(1);
            format = rs.getString(2);
            rowImage = rs.getString(3);
        }
        List<String> problems = new ArrayList<>();
        if (!"1".equals(logBin) && !"ON".equalsIgnoreCase(logBin)) {
            problems.add("The target's binary log is off (log_bin=" + logBin + "): after the switch, reverse replication reads the "
                    + "new primary's changes from it. Start the server with --log-bin=mysql-bin --server-id=1 (or log_bin and "
                    + "server_id in my.cnf; any server id unique among its replicas) and restart it.");
        }
        if (!"ROW".equalsIgnoreCase(format)) {
            problems.add("The target's binlog_format is " + format + "; reverse replication needs the rows. Run: "
                    + "SET GLOBAL binlog_format = 'ROW'; and set binlog_format=ROW in my.cnf (sessions opened before keep "
                    + "the old format: reconnect the application).");
        }
        if (!"FULL".equalsIgnoreCase(rowImage)) {
            problems.add("The target's binlog_row_image is " + rowImage + "; reverse replication needs whole rows. Run: "
                    + "SET GLOBAL binlog_row_image = 'FULL'; and set binlog_row_image=FULL in my.cnf.");
        }
        missingPrivileges(target).ifPresent(problems::add);
        return problems;
    }

    /**
     * The binlog read privileges Greenlight's target user lacks: REPLICATION SLAVE (read the binlog)
     * and REPLICATION CLIENT (its position; MariaDB calls it BINLOG MONITOR, SUPER also serves).
     */
    private static Optional<String> missingPrivileges(Connection target) throws SQLException {
        String grantee;
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
            rs.next();
            String account = rs.getString(1); // user@host; information_schema writes 'user'@'host'
            int at = account.lastIndexOf('@');
            grantee = "'" + account.substring(0, at) + "'@'" + account.substring(at + 1) + "'";
        }
        Set<String> held = new HashSet<>();
        try (PreparedStatement ps = target.prepareStatement("SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?")) {
            ps.setString(1, grantee);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    held.add(rs.getString(1).toUpperCase(Locale.ROOT));
                }
            }
        }
        List<String> missing = new ArrayList<>();
        if (!held.contains("REPLICATION SLAVE") && !held.contains("REPLICATION REPLICA")) {
            missing.add("REPLICATION SLAVE");
        }
        if (!held.contains("REPLICATION CLIENT") && !held.contains("BINLOG MONITOR") && !held.contains("SUPER")) {
            missing.add("REPLICATION CLIENT");
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Greenlight's target user " + grantee + " lacks " + String.join(", ", missing) + ": after the switch "
                + "reverse replication reads the new primary's binlog and its position. Run on the target: GRANT "
                + String.join(", ", missing) + " ON *.* TO " + grantee + ";");
    }
}
