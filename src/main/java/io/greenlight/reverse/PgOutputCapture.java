package io.greenlight.reverse;

import io.greenlight.capture.DebeziumProperties;
import io.greenlight.capture.HeartbeatTable;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Struct;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL new primary (blue/green), captured through pgoutput exactly as forward capture
 * reads the source ({@link DebeziumProperties#pgoutput}): a publication and a logical slot of its
 * own on the target. Both are created anew while both sides are fenced, before the switch, so the
 * slot's consistent point is the start: every transaction committed on the new primary after it,
 * none of those forward apply wrote before it. Tables keep their schema and name on a PostgreSQL
 * target, and values their form.
 */
final class PgOutputCapture implements PrimaryCapture {

    private static final String OWNERSHIP = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relreplident, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
                   pg_has_role(current_user, c.relowner, 'USAGE'), pg_get_userbyid(c.relowner)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)
            """;

    private final GreenlightConfig config;
    private final String stream;
    private final String slot;
    private final String publication;

    /** The target's slot and publication are the source's names with _reverse. */
    PgOutputCapture(GreenlightConfig config, String stream) {
        this(config, stream, config.source().slot() + "_reverse", config.source().publication() + "_reverse");
    }

    PgOutputCapture(GreenlightConfig config, String stream, String slot, String publication) {
        this.config = config;
        this.stream = stream;
        this.slot = slot;
        this.publication = publication;
    }

    String slot() {
        return slot;
    }

    String publication() {
        return publication;
    }

    @Override
    public HeartbeatTable heartbeatTable() {
        return HeartbeatTable.PRIMARY_POSTGRES;
    }

    @Override
    public String kind() {
        return "WAL (pgoutput)";
    }

    @Override
    public List<String> problems(Connection target, Collection<TableId> tables) throws SQLException {
        List<String> problems = new ArrayList<>();
        String walLevel = single(target, "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            problems.add("The target's wal_level is '" + walLevel + "'; after the switch reverse replication decodes the new "
                    + "primary's WAL and needs 'logical'. Run on the target: ALTER SYSTEM SET wal_level = logical; then restart it.");
        }
        String user;
        boolean superuser;
        boolean replication;
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT quote_ident(current_user), rolsuper, rolreplication FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            user = rs.getString(1);
            superuser = rs.getBoolean(2);
            replication = rs.getBoolean(3);
        }
        if (!superuser && !replication) {
            problems.add("Greenlight's target user " + user + " lacks the REPLICATION attribute: reverse replication creates and "
                    + "reads a logical replication slot on the target. Run on the target: ALTER ROLE " + user + " REPLICATION;");
        }
        String database = single(target, "SELECT quote_ident(current_database())");
        if (!superuser && !"true".equals(single(target, "SELECT has_database_privilege(current_database(), 'CREATE')::text"))) {
            problems.add("Greenlight's target user " + user + " may not create the reverse publication in database " + database
                    + ". Run on the target: GRANT CREATE ON DATABASE " + database + " TO " + user + ";");
        }
        if (!superuser && "false".equals(single(target, "SELECT (to_regclass('public." + HeartbeatTable.REVERSE + "') IS NOT NULL "
                + "OR has_schema_privilege('public', 'CREATE'))::text"))) {
            problems.add("Greenlight's target user " + user + " may not create the reverse heartbeat table in schema public. "
                    + "Run on the target: GRANT CREATE ON SCHEMA public TO " + user + ";");
        }
        for (TableId table : tables) {
            try (PreparedStatement ps = target.prepareStatement(OWNERSHIP)) {
                ps.setString(1, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        problems.add("Table " + table + " is not on the target: reverse replication cannot read it.");
                        continue;
                    }
                    String name = rs.getString(1);
                    String identity = rs.getString(2);
                    boolean primaryKey = rs.getBoolean(3);
                    if (!superuser && !rs.getBoolean(4)) {
                        problems.add("Greenlight's target user " + user + " does not own table " + name + " (owner "
                                + rs.getString(5) + "); adding it to the reverse publication needs ownership. Run on the target: "
                                + "ALTER TABLE " + name + " OWNER TO " + user + ";");
                    }
                    if ("n".equals(identity) || "d".equals(identity) && !primaryKey) {
                        problems.add("Table " + name + " on the target has REPLICA IDENTITY " + ("n".equals(identity) ? "NOTHING" : "DEFAULT")
                                + (primaryKey ? "" : " and no primary key") + ": in the reverse publication its updates and deletes "
                                + "would fail on the new primary. Run on the target: ALTER TABLE " + name + " REPLICA IDENTITY "
                                + (primaryKey ? "DEFAULT" : "FULL") + ";");
                    }
                }
            }
        }
        try (PreparedStatement ps = target.prepareStatement("SELECT current_setting('max_replication_slots')::int, "
                + "(SELECT count(*) FROM pg_replication_slots WHERE slot_name <> ?)")) {
            ps.setString(1, slot());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(2) >= rs.getInt(1)) {
                    problems.add("The target has no free replication slot (max_replication_slots = " + rs.getInt(1) + ", "
                            + rs.getInt(2) + " in use); reverse replication needs one. Run on the target: ALTER SYSTEM SET "
                            + "max_replication_slots = " + (rs.getInt(2) + 1) + "; then restart it (or drop an unused slot).");
                }
            }
        }
        return problems;
    }

    /**
     * Creates the publication and the slot anew. The slot's creation waits until every transaction
     * that has an id on the target cluster ends (its consistent point), and the publication's for
     * locks on the tables: each statement may take only what is left of {@code within}
     * (statement_timeout), after which this fails naming the open transactions and how to end them.
     */
    @Override
    public ReverseStart recordStart(Connection target, Collection<TableId> tables, Duration within) throws SQLException {
        long deadline = System.nanoTime() + within.toNanos();
        List<String> published = new ArrayList<>(tables.stream().map(TableId::quoted).toList());
        published.add(heartbeat().quoted());
        String lsn;
        try (Statement st = target.createStatement()) {
            timeout(st, deadline);
            st.execute("DROP PUBLICATION IF EXISTS " + TableId.quoteIdentifier(publication()));
            timeout(st, deadline);
            st.execute("CREATE PUBLICATION " + TableId.quoteIdentifier(publication()) + " FOR TABLE " + String.join(", ", published));
            timeout(st, deadline);
            dropSlot(target);
            timeout(st, deadline);
            // Its consistent point: every transaction that commits after it is decoded, none before.
            try (PreparedStatement ps = target.prepareStatement("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
                ps.setString(1, slot());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    lsn = rs.getString(1);
                }
            }
        } catch (SQLException e) {
            if (!timedOut(e)) {
                throw e;
            }
            throw new SQLException("Creating the reverse replication slot " + slot() + " (and publication " + publication()
                    + ") on the target did not finish within the " + String.format(java.util.Locale.ROOT, "%.1f", within.toMillis() / 1000.0)
                    + " s left of maxWriteBlockedSeconds: a logical slot starts only once every transaction open on the target "
                    + "cluster has ended (and the publication waits for locks on the migrated tables). " + openTransactions(target),
                    e.getSQLState(), e);
        } finally {
            try (Statement st = target.createStatement()) {
                st.execute("RESET statement_timeout"); // the connection goes back to its pool
            } catch (SQLException broken) {
                // a broken connection is not reused; the failure that matters is the one above
            }
        }
        Map<String, Object> offset = new LinkedHashMap<>();
        offset.put("lsn", parseLsn(lsn));
        offset.put("lsn_proc", parseLsn(lsn));
        offset.put("ts_usec", System.currentTimeMillis() * 1000);
        return new ReverseStart("LSN " + lsn + " (slot " + slot() + ", publication " + publication() + ")", offset);
    }

    @Override
    public Properties properties(Collection<SourceTable> tables) {
        GreenlightConfig.Target tgt = config.target();
        List<TableId> read = new ArrayList<>(tables.stream().map(SourceTable::id).toList());
        read.add(heartbeat());
        Properties p = DebeziumProperties.pgoutput(new DebeziumProperties.Endpoint("greenlight.target.url", tgt.url().orElseThrow(),
                tgt.username().orElseThrow(), tgt.password(), slot(), publication()), stream, stream, read, "no_data");
        p.put("offset.storage", SeededOffsetStore.class.getName());
        return p;
    }

    @Override
    public String key(Struct source) {
        return source.getString("schema") + "." + source.getString("table");
    }

    @Override
    public String key(TableId table) {
        return table.schema() + "." + table.table();
    }

    @Override
    public Struct row(SourceTable table, Struct image) {
        return image; // the same engine: values have the form forward capture gives them
    }

    @Override
    public String where(Struct source) {
        return "WAL";
    }

    @Override
    public long position(Struct source) {
        Long lsn = source.getInt64("lsn");
        return lsn == null ? -1 : lsn;
    }

    @Override
    public List<String> discard(Connection target) throws SQLException {
        return dropSlot(target) ? List.of("replication slot " + slot() + " (target)") : List.of();
    }

    @Override
    public List<String> remove(Connection target) throws SQLException {
        List<String> removed = new ArrayList<>();
        try (Statement st = target.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + TableId.quoteIdentifier(publication()));
            removed.add("publication " + publication() + " (target)");
        }
        dropSlot(target);
        removed.add("replication slot " + slot() + " (target)");
        return removed;
    }

    /** Drops the slot if it exists, ending a reader still attached to it (only reverse replication reads it); whether it existed. */
    private boolean dropSlot(Connection target) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try (PreparedStatement ps = target.prepareStatement("SELECT active_pid, pg_terminate_backend(active_pid) "
                    + "FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL")) {
                ps.setString(1, slot());
                ps.executeQuery().close();
            }
            try (PreparedStatement ps = target.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE slot_name = ?")) {
                ps.setString(1, slot());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException active) {
                if (attempt >= 50) {
                    throw new SQLException("Cannot drop the reverse replication slot " + slot() + " on the target: " + active.getMessage()
                            + ". Run on the target: SELECT pg_drop_replication_slot('" + slot() + "');", active);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("Interrupted while dropping the reverse replication slot " + slot(), e);
                }
            }
        }
    }

    /** Bounds the statement that follows by what is left until {@code deadline} (at least 1 ms: 0 would mean no limit). */
    private static void timeout(Statement st, long deadline) throws SQLException {
        st.execute("SET statement_timeout = " + Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }

    /** A statement (57014) or lock (55P03) timeout, here or in the cause of a wrapped one. */
    private static boolean timedOut(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("57014".equals(sql.getSQLState()) || "55P03".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** The target's transactions with an id (those a new slot waits for), and the statement that ends them. */
    private static String openTransactions(Connection target) {
        List<String> open = new ArrayList<>();
        List<String> pids = new ArrayList<>();
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT pid, usename, datname, state, xact_start
                  FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() ORDER BY xact_start LIMIT 10""")) {
            while (rs.next()) {
                pids.add(rs.getString(1));
                open.add("pid " + rs.getString(1) + " (user " + rs.getString(2) + ", database " + rs.getString(3) + ", "
                        + rs.getString(4) + ", transaction open since " + rs.getTimestamp(5).toInstant() + ")");
            }
        } catch (SQLException e) {
            return "Find them on the target (SELECT pid, state, xact_start, query FROM pg_stat_activity WHERE backend_xid IS NOT NULL;), "
                    + "end or finish them, then POST /cutover again";
        }
        if (open.isEmpty()) {
            return "No transaction is open there any more: POST /cutover again";
        }
        return "Open on the target: " + String.join("; ", open) + ". End them (on the target: "
                + pids.stream().map(pid -> "SELECT pg_terminate_backend(" + pid + ");").collect(java.util.stream.Collectors.joining(" "))
                + ") or let them finish, then POST /cutover again";
    }

    static TableId heartbeat() {
        return HeartbeatTable.PRIMARY_POSTGRES.id();
    }

    static long parseLsn(String lsn) {
        String[] parts = lsn.split("/");
        return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
    }

    private static String single(Connection c, String query) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
