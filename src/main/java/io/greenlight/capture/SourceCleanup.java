package io.greenlight.capture;

import io.greenlight.schema.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes what Greenlight left on the source once it is no longer needed: its replication slot
 * (which otherwise retains WAL forever), the publication and heartbeat table it created (marked
 * with {@link #MARK}). Objects an operator created are kept. Running it again drops nothing more.
 */
public final class SourceCleanup {

    /** Comment Greenlight puts on the source objects it creates, so cleanup knows they are its own. */
    public static final String MARK = "created by Greenlight";

    /** What was dropped and what was kept (with why), in the operator's words. */
    public record Result(List<String> dropped, List<String> kept) {
    }

    private final Connection connection;

    public SourceCleanup(Connection connection) {
        this.connection = connection;
    }

    /** Capture must be stopped: an active slot cannot be dropped, so this waits for it to be released. */
    public Result run(String slot, String publication, Duration releaseWait) throws SQLException, InterruptedException {
        List<String> dropped = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        if (dropSlot(slot, releaseWait)) {
            dropped.add("replication slot " + slot);
        }
        String comment = single("SELECT obj_description(oid, 'pg_publication') FROM pg_publication WHERE pubname = ?", publication);
        if (comment != null || exists("SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
            if (MARK.equals(comment)) {
                exec("DROP PUBLICATION IF EXISTS " + TableId.quoteIdentifier(publication));
                dropped.add("publication " + publication);
            } else {
                kept.add("publication " + publication + " (not created by Greenlight; drop it yourself: DROP PUBLICATION "
                        + TableId.quoteIdentifier(publication) + ";)");
            }
        }
        dropped.addAll(new DdlCapture(connection).remove());
        TableId heartbeat = new TableId(HeartbeatWriter.SCHEMA, HeartbeatWriter.TABLE);
        String tableComment = single("SELECT obj_description(to_regclass(?), 'pg_class')", heartbeat.quoted());
        if (exists("SELECT 1 WHERE to_regclass(?) IS NOT NULL", heartbeat.quoted())) {
            if (MARK.equals(tableComment)) {
                exec("DROP TABLE IF EXISTS " + heartbeat.quoted());
                dropped.add("table " + heartbeat);
            } else {
                kept.add("table " + heartbeat + " (not created by Greenlight; drop it yourself: DROP TABLE " + heartbeat.quoted() + ";)");
            }
        }
        String lease = "greenlight.greenlight_leader"; // the leader lease, one row per slot (io.greenlight.leader.SourceLease)
        if (exists("SELECT 1 WHERE to_regclass(?) IS NOT NULL", lease)) {
            try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + lease + " WHERE name = ?")) {
                ps.setString(1, slot);
                ps.executeUpdate();
            }
            boolean unused = !exists("SELECT 1 FROM " + lease + " WHERE name <> ?", slot); // another migration's lease stays
            if (unused && MARK.equals(single("SELECT obj_description(to_regclass(?), 'pg_class')", lease))) {
                exec("DROP TABLE IF EXISTS " + lease);
                dropped.add("table " + lease);
            }
        }
        String verify = "greenlight.greenlight_verify"; // verification reports (io.greenlight.verify.VerifyStore)
        if (exists("SELECT 1 WHERE to_regclass(?) IS NOT NULL", verify)
                && MARK.equals(single("SELECT obj_description(to_regclass(?), 'pg_class')", verify))) {
            exec("DROP TABLE IF EXISTS " + verify);
            dropped.add("table " + verify);
        }
        if (exists("SELECT 1 WHERE to_regclass(?) IS NOT NULL", "greenlight.greenlight_cutover")) {
            kept.add("table greenlight.greenlight_cutover (the cutover journal: a restarted Greenlight reads it to keep the "
                    + "fence and to write nothing more to the new primary; once Greenlight is gone for good: "
                    + "DROP TABLE greenlight.greenlight_cutover; DROP SCHEMA greenlight;)");
        }
        if (exists("SELECT 1 FROM pg_namespace n WHERE nspname = ? AND NOT EXISTS "
                + "(SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid)", HeartbeatWriter.SCHEMA)
                && dropped.contains("table " + heartbeat)) {
            exec("DROP SCHEMA IF EXISTS " + TableId.quoteIdentifier(HeartbeatWriter.SCHEMA));
            dropped.add("schema " + HeartbeatWriter.SCHEMA);
        }
        return new Result(dropped, kept);
    }

    private boolean dropSlot(String slot, Duration releaseWait) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + releaseWait.toNanos();
        while (true) {
            String active = single("SELECT active::text FROM pg_replication_slots WHERE slot_name = ?", slot);
            if (active == null) {
                return false;
            }
            if ("false".equals(active)) {
                try (PreparedStatement ps = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    ps.setString(1, slot);
                    ps.execute();
                    return true;
                } catch (SQLException e) {
                    if (!"55006".equals(e.getSQLState())) { // object_in_use: a walsender took it meanwhile
                        throw e;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Replication slot " + slot + " is still in use by another reader after "
                        + releaseWait.toSeconds() + " s; find it in pg_stat_replication, stop it, and call again.");
            }
            Thread.sleep(250);
        }
    }

    private String single(String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private boolean exists(String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }
}
