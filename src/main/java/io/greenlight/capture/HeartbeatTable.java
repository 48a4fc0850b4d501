package io.greenlight.capture;

import io.greenlight.schema.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The heartbeat row of the end a data path reads, in that end's SQL ({@link HeartbeatWriter}
 * writes it). Forward, the source's {@code greenlight.greenlight_heartbeat}: the row carries the
 * server's clock, so each beat also measures the clock skew, and a beat returns the WAL position
 * after it. Reverse, once the roles flipped, the new primary's {@code greenlight_reverse_heartbeat}
 * (MySQL/MariaDB, or schema public of a PostgreSQL target): the row carries Greenlight's clock in
 * milliseconds, because a binlog event's time has whole seconds only. Either may carry a marker
 * (a cutover's or a rollback's drain waits until the marker is applied).
 */
public enum HeartbeatTable {

    /** The forward source (PostgreSQL). */
    SOURCE(HeartbeatWriter.SCHEMA, HeartbeatWriter.TABLE, "the source", "lag") {
        @Override
        public void create(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA IF NOT EXISTS greenlight");
                boolean exists;
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('greenlight.greenlight_heartbeat') IS NOT NULL")) {
                    exists = rs.next() && rs.getBoolean(1);
                }
                if (!exists) {
                    st.execute("CREATE TABLE IF NOT EXISTS greenlight.greenlight_heartbeat (id int PRIMARY KEY, ts timestamptz NOT NULL, marker text)");
                    // POST /source/cleanup drops only what Greenlight created.
                    st.execute("COMMENT ON TABLE greenlight.greenlight_heartbeat IS '" + SourceCleanup.MARK + "'");
                }
            }
        }

        @Override
        long write(Connection c, long nowMs, String marker) throws SQLException {
            try (Statement st = c.createStatement()) {
                // A READ_ONLY cutover fence sets the database default; Greenlight's own writes pass it.
                st.execute("SET default_transaction_read_only = off");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO greenlight.greenlight_heartbeat (id, ts, marker) "
                    + "VALUES (1, clock_timestamp(), ?) ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts, marker = EXCLUDED.marker "
                    + "RETURNING (extract(epoch from ts) * 1000)::bigint")) {
                ps.setString(1, marker);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        @Override
        boolean serverClock() {
            return true;
        }

        @Override
        String position(Connection c) throws SQLException {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                return rs.getString(1);
            }
        }

        @Override
        public void drop(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS greenlight.greenlight_heartbeat");
            }
        }
    },

    /** A PostgreSQL new primary (blue/green), after the switch. */
    PRIMARY_POSTGRES("public", HeartbeatTable.REVERSE, "the new primary", "reverse lag") {
        @Override
        public void create(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS public." + REVERSE + " (id int PRIMARY KEY, beat_ms bigint NOT NULL, marker varchar(64))");
                st.execute("COMMENT ON TABLE public." + REVERSE + " IS 'created by Greenlight'");
            }
        }

        @Override
        long write(Connection c, long nowMs, String marker) throws SQLException {
            return upsert(c, nowMs, marker, "INSERT INTO public." + REVERSE + " (id, beat_ms, marker) VALUES (1, ?, ?) "
                    + "ON CONFLICT (id) DO UPDATE SET beat_ms = EXCLUDED.beat_ms, marker = EXCLUDED.marker");
        }

        @Override
        public void drop(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS public." + REVERSE);
            }
        }
    },

    /** A MySQL 8 / MariaDB new primary, after the switch. */
    PRIMARY_MYSQL(null, HeartbeatTable.REVERSE, "the new primary", "reverse lag") {
        @Override
        public void create(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS " + REVERSE + " (id INT PRIMARY KEY, beat_ms BIGINT NOT NULL, marker VARCHAR(64)) "
                        + "COMMENT 'created by Greenlight'");
            }
        }

        @Override
        long write(Connection c, long nowMs, String marker) throws SQLException {
            return upsert(c, nowMs, marker, "INSERT INTO " + REVERSE + " (id, beat_ms, marker) VALUES (1, ?, ?) "
                    + "ON DUPLICATE KEY UPDATE beat_ms = VALUES(beat_ms), marker = VALUES(marker)");
        }

        @Override
        public void drop(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + REVERSE);
            }
        }
    };

    /** The reverse direction's heartbeat table on the new primary. */
    public static final String REVERSE = "greenlight_reverse_heartbeat";

    private final String schema;
    private final String table;
    private final String end;
    private final String lag;

    HeartbeatTable(String schema, String table, String end, String lag) {
        this.schema = schema;
        this.table = table;
        this.end = end;
        this.lag = lag;
    }

    /** The new primary's heartbeat table once the roles flipped. */
    public static HeartbeatTable primary(boolean postgres) {
        return postgres ? PRIMARY_POSTGRES : PRIMARY_MYSQL;
    }

    /** Creates the table if it is not there. */
    public abstract void create(Connection c) throws SQLException;

    /** Drops it (POST /complete, cleanup). */
    public abstract void drop(Connection c) throws SQLException;

    /** Writes the beat ({@code nowMs}: our clock) in auto-commit; returns the time the row carries. */
    abstract long write(Connection c, long nowMs, String marker) throws SQLException;

    /** True when the row carries the end's clock (then a beat measures the skew). */
    boolean serverClock() {
        return false;
    }

    /** The end's change stream position after a beat, when the end tells it; null otherwise. */
    String position(Connection c) throws SQLException {
        return null;
    }

    /** Its schema (null on MySQL/MariaDB, where the connection's database holds it). */
    public String schema() {
        return schema;
    }

    /** Its name. */
    public String table() {
        return table;
    }

    /** As a table id (schema public for a MySQL/MariaDB new primary, whose changes name no schema). */
    public TableId id() {
        return new TableId(schema != null ? schema : "public", table);
    }

    /** Whether a change's source block ({@code schema} may be null: MySQL/MariaDB) names this table. */
    public boolean is(String changeSchema, String changeTable) {
        return table.equals(changeTable) && (schema == null || schema.equals(changeSchema));
    }

    /** "the source", "the new primary": for messages. */
    String end() {
        return end;
    }

    /** "lag", "reverse lag": what grows while beats fail. */
    String lag() {
        return lag;
    }

    private static long upsert(Connection c, long nowMs, String marker, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, nowMs);
            ps.setString(2, marker);
            ps.executeUpdate();
        }
        return nowMs;
    }
}
