package io.greenlight.reverse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a MySQL/MariaDB target's binary log lets reverse replication read every change made on
 * it once it is the primary: binlog on, ROW format, full row images. Each problem names the
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
        return problems;
    }
}
