package io.greenlight.reverse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A position in a MySQL/MariaDB binary log: the next event is written at {@code pos} of
 * {@code file}; {@code gtid} (MariaDB's gtid_binlog_pos, MySQL's gtid_executed) is the set of
 * transactions written before it. Both name the same point: every transaction after it, nothing
 * before.
 */
public record BinlogPosition(String file, long pos, String gtid) {

    /** Where the server's binlog ends now: what a reader starting here sees is everything written after. */
    public static BinlogPosition current(Connection target) throws SQLException {
        String file;
        long pos;
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new SQLException("SHOW MASTER STATUS returned no row: the target's binary log is off. "
                        + "Start it with --log-bin=mysql-bin --server-id=1 and restart it.");
            }
            file = rs.getString("File");
            pos = rs.getLong("Position");
        }
        String gtid = null;
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery("SELECT @@GLOBAL.gtid_binlog_pos")) {
            if (rs.next()) {
                gtid = rs.getString(1);
            }
        } catch (SQLException mysql) {
            try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery("SELECT @@GLOBAL.gtid_executed")) {
                if (rs.next()) {
                    gtid = rs.getString(1);
                }
            }
        }
        return new BinlogPosition(file, pos, gtid);
    }

    /** Debezium's binlog source offset for a reader that starts exactly here. */
    public Map<String, Object> offset() {
        Map<String, Object> offset = new LinkedHashMap<>();
        offset.put("file", file);
        offset.put("pos", pos);
        offset.put("row", 0);
        offset.put("event", 0);
        if (gtid != null && !gtid.isEmpty()) {
            offset.put("gtids", gtid); // the MariaDB connector positions its binlog client by GTID when it has one
        }
        return offset;
    }

    @Override
    public String toString() {
        return file + ":" + pos + (gtid == null || gtid.isEmpty() ? "" : " (GTID " + gtid + ")");
    }
}
