package io.greenlight.capture;

import io.greenlight.config.GreenlightConfig;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that the source can be captured before anything starts, and prepares the publication.
 * Every refusal says what is wrong and the statement that fixes it.
 */
public final class SourcePreflight {

    private static final Logger LOG = Logger.getLogger(SourcePreflight.class);

    private final Connection connection;

    public SourcePreflight(Connection connection) {
        this(connection, GreenlightConfig.Schema.DdlCapture.TRIGGERS);
    }

    /** {@code ddlCapture} OFF: the DDL capture triggers are neither installed nor required (loud warning instead). */
    public SourcePreflight(Connection connection, GreenlightConfig.Schema.DdlCapture ddlCapture) {
        this.connection = connection;
        this.ddlCapture = ddlCapture;
    }

    private final GreenlightConfig.Schema.DdlCapture ddlCapture;

    /**
     * Resolves the configured tables (default: every table of schema public), checks wal_level,
     * replica identity and the slot, creates or validates the publication, and returns the models,
     * including Greenlight's own heartbeat table.
     */
    /**
     * A listed table the source lacks: renamed (Greenlight's publication follows a rename, so a table in
     * it that the list does not name is the likely new name) or dropped.
     */
    private String missing(TableId id, List<TableId> configured, String publication) {
        List<String> unlisted = new ArrayList<>();
        try (java.sql.PreparedStatement ps = connection.prepareStatement(
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ? ORDER BY 1, 2")) {
            ps.setString(1, publication);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableId published = new TableId(rs.getString(1), rs.getString(2));
                    if (!configured.contains(published) && !(published.schema().equals(HeartbeatWriter.SCHEMA)
                            && published.table().equals(HeartbeatWriter.TABLE))) { // Greenlight's own, never listed
                        unlisted.add(published.toString());
                    }
                }
            }
        } catch (SQLException e) {
            LOG.debugf("Reading publication %s for the hint on %s failed: %s", publication, id, e.getMessage());
        }
        String renamed = unlisted.isEmpty() ? "If it was renamed, name the new table in greenlight.source.tables instead"
                : "If it was renamed (publication " + publication + " holds " + String.join(", ", unlisted)
                + ", which the list does not name), name the new table in greenlight.source.tables instead";
        return "Table " + id + " does not exist on the source (listed in greenlight.source.tables). " + renamed
                + " and restart (the start copies it under the new name), then drop the target's table " + id
                + "; if it was dropped, remove it from the list.";
    }

    public Map<TableId, SourceTable> prepare(List<TableId> configured, String publication, String slot)
            throws SQLException {
        checkWalLevel();
        SourceCatalog catalog = new SourceCatalog(connection);
        List<TableId> ids = configured.isEmpty() ? catalog.tablesOf("public") : configured;
        Map<TableId, SourceTable> tables = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (TableId id : ids) {
            catalog.table(id).ifPresentOrElse(t -> tables.put(id, t), () -> problems.add(missing(id, configured, publication)));
        }
        if (tables.isEmpty() && problems.isEmpty()) {
            problems.add("No tables to capture: schema public has none and greenlight.source.tables is not set.");
        }
        tables.values().forEach(t -> checkReplicaIdentity(t, problems));
        for (SourceTable table : tables.values()) {
            checkPartitionIdentities(table, problems);
        }
        tables.values().forEach(t -> checkQuotedLookingNames(t, problems));
        TableId heartbeat = new TableId(HeartbeatWriter.SCHEMA, HeartbeatWriter.TABLE);
        try {
            HeartbeatWriter.createTable(connection);
            catalog.table(heartbeat).ifPresent(t -> tables.put(heartbeat, t));
        } catch (SQLException e) {
            problems.add("Cannot create the heartbeat table " + heartbeat + " on the source (" + e.getMessage()
                    + "). Grant the replication user CREATE on the database, or create it: CREATE SCHEMA greenlight; "
                    + "CREATE TABLE greenlight.greenlight_heartbeat (id int PRIMARY KEY, ts timestamptz NOT NULL, marker text);");
        }
        if (ddlCapture == GreenlightConfig.Schema.DdlCapture.OFF) {
            LOG.warn(DdlCapture.OFF_WARNING);
        } else try {
            new DdlCapture(connection).ensure().ifPresent(problems::add);
        } catch (SQLException e) {
            problems.add("Cannot install the DDL capture triggers on the source: " + e.getMessage() + ". Have a superuser run, "
                    + "in the source database:\n" + DdlCapture.installScript() + "then restart Greenlight.");
        }
        checkUniqueTargetNames(tables.keySet(), problems);
        if (!problems.isEmpty()) {
            throw new SourceNotReadyException(problems);
        }
        ensurePublication(publication, tables.keySet());
        checkSlot(slot);
        return tables;
    }

    private void checkWalLevel() throws SQLException {
        String level = single("SHOW wal_level");
        if (!"logical".equals(level)) {
            throw new SourceNotReadyException(List.of("Source wal_level is '" + level
                    + "'; logical decoding needs 'logical'. Run: ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL."));
        }
    }

    private static void checkReplicaIdentity(SourceTable table, List<String> problems) {
        char identity = table.replicaIdentity();
        if (identity == 'n') {
            problems.add("Table " + table.id() + " has REPLICA IDENTITY NOTHING: its updates and deletes cannot be replicated. Run: ALTER TABLE "
                    + table.id() + " REPLICA IDENTITY " + (table.hasPrimaryKey() ? "DEFAULT" : "FULL") + ";");
        } else if (!table.hasPrimaryKey() && identity != 'f') {
            // USING INDEX gives the table a key (SourceCatalog), unless its index is gone.
            problems.add("Table " + table.id() + " has no primary key and REPLICA IDENTITY "
                    + (identity == 'd' ? "DEFAULT" : "USING INDEX of an index that no longer exists")
                    + ": its updates and deletes cannot be replicated. Run: ALTER TABLE " + table.id()
                    + " REPLICA IDENTITY FULL; or add a primary key, or ALTER TABLE " + table.id()
                    + " REPLICA IDENTITY USING INDEX <a unique index on NOT NULL columns>;");
        }
    }

    /**
     * The leaf partitions of a partitioned table, with what identifies their rows: partitions do not
     * inherit REPLICA IDENTITY FULL or USING INDEX, and once published PostgreSQL refuses UPDATE
     * and DELETE on a partition without an identity (the application's writes would fail).
     */
    private static final String PARTITION_IDENTITIES = """
            SELECT p.relid::regclass::text, c.relreplident,
                   EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid AND x.indisprimary),
                   EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid AND x.indisreplident),
                   (SELECT x.indexrelid::regclass::text FROM pg_index x WHERE x.indrelid = c.oid
                       AND (SELECT r.indexrelid FROM pg_index r WHERE r.indrelid = p.root AND r.indisreplident)
                           IN (SELECT pg_partition_ancestors(x.indexrelid)))
              FROM (SELECT t.relid, t.isleaf, ?::regclass AS root FROM pg_partition_tree(?::regclass) t) p
              JOIN pg_class c ON c.oid = p.relid
             WHERE p.isleaf AND p.relid <> p.root
             ORDER BY 1
            """;

    private void checkPartitionIdentities(SourceTable table, List<String> problems) throws SQLException {
        if (table.replicaIdentity() != 'f' && table.replicaIdentity() != 'i') {
            return; // DEFAULT with a primary key: every partition has that key's index as its identity
        }
        try (PreparedStatement ps = connection.prepareStatement(PARTITION_IDENTITIES)) {
            ps.setString(1, table.id().quoted());
            ps.setString(2, table.id().quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String partition = rs.getString(1);
                    char identity = rs.getString(2).charAt(0);
                    boolean ok = identity == 'f' || identity == 'i' && rs.getBoolean(4) || identity == 'd' && rs.getBoolean(3);
                    if (ok) {
                        continue;
                    }
                    String fix = table.replicaIdentity() == 'f' ? "FULL"
                            : "USING INDEX " + (rs.getString(5) == null ? "<its unique index on " + table.primaryKey() + ">"
                            : rs.getString(5));
                    problems.add("Partition " + partition + " of " + table.id() + " has no replica identity of its own "
                            + "(partitions do not inherit REPLICA IDENTITY " + (table.replicaIdentity() == 'f' ? "FULL" : "USING INDEX")
                            + "): once published, PostgreSQL refuses its UPDATEs and DELETEs. Run: ALTER TABLE " + partition
                            + " REPLICA IDENTITY " + fix + ";");
                }
            }
        }
    }

    /**
     * Debezium's pgoutput decoder strips a pair of quotes (", ' or `) around a streamed table or
     * column name, so {@code 'a'} would arrive as {@code a}: refuse such names rather than lose the column.
     */
    private static void checkQuotedLookingNames(SourceTable table, List<String> problems) {
        List<String> names = new ArrayList<>();
        names.add(table.id().table());
        table.columns().forEach(c -> names.add(c.name()));
        for (String name : names) {
            if (name.length() >= 2 && name.charAt(0) == name.charAt(name.length() - 1) && "\"'`".indexOf(name.charAt(0)) >= 0) {
                problems.add("Table " + table.id().quoted() + ": the name " + TableId.quoteIdentifier(name) + " begins and ends "
                        + "with " + name.charAt(0) + "; Debezium's streaming strips those and would lose it. Rename it on the source.");
            }
        }
    }

    /** A MySQL database has one namespace: two schemas' tables of the same name would collide. */
    private static void checkUniqueTargetNames(Set<TableId> ids, List<String> problems) {
        Map<String, TableId> seen = new LinkedHashMap<>();
        for (TableId id : ids) {
            TableId other = seen.putIfAbsent(id.table(), id);
            if (other != null) {
                problems.add("Tables " + other + " and " + id + " would both be written to target table " + id.table()
                        + "; capture them with separate Greenlight instances and target databases.");
            }
        }
    }

    /**
     * Creates the publication, or checks an existing one publishes every table. A partitioned
     * table's changes are published as its root's (publish_via_partition_root): without it they
     * arrive as the partitions', which are not captured, and would silently be lost.
     */
    private void ensurePublication(String publication, Set<TableId> tables) throws SQLException {
        Set<String> published = new TreeSet<>();
        boolean exists = false;
        boolean allTables = false;
        boolean viaRoot = false;
        String comment = null;
        List<TableId> partitioned = partitioned(tables);
        try (PreparedStatement ps = connection.prepareStatement("SELECT puballtables, "
                + (partitioned.isEmpty() ? "false" : "pubviaroot") + ", obj_description(oid, 'pg_publication') "
                + "FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    exists = true;
                    allTables = rs.getBoolean(1);
                    viaRoot = rs.getBoolean(2);
                    comment = rs.getString(3);
                }
            }
        }
        String name = TableId.quoteIdentifier(publication);
        if (!exists) {
            String list = String.join(", ", tables.stream().map(TableId::quoted).toList());
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE PUBLICATION " + name + " FOR TABLE " + list
                        + (partitioned.isEmpty() ? "" : " WITH (publish_via_partition_root = true)"));
                st.execute("COMMENT ON PUBLICATION " + name + " IS '" + SourceCleanup.MARK + "'");
            }
            LOG.infof("Created publication %s for %d table(s)", publication, tables.size());
            return;
        }
        if (!partitioned.isEmpty() && !viaRoot) {
            if (!SourceCleanup.MARK.equals(comment)) {
                throw new SourceNotReadyException(List.of("Publication " + publication + " publishes the partitioned "
                        + "table(s) " + partitioned + " as their partitions, whose changes Greenlight does not capture. Run: "
                        + "ALTER PUBLICATION " + name + " SET (publish_via_partition_root = true); "
                        + "or set greenlight.source.publication to a new name."));
            }
            try (Statement st = connection.createStatement()) {
                st.execute("ALTER PUBLICATION " + name + " SET (publish_via_partition_root = true)");
            }
            LOG.infof("Publication %s now publishes partitioned tables %s through their root", publication, partitioned);
        }
        if (allTables) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    published.add(new TableId(rs.getString(1), rs.getString(2)).toString());
                }
            }
        }
        TableId heartbeat = new TableId(HeartbeatWriter.SCHEMA, HeartbeatWriter.TABLE);
        if (tables.contains(heartbeat) && !published.contains(heartbeat.toString())) {
            // Greenlight's own table: adding it to an operator's publication changes nothing else.
            try (Statement st = connection.createStatement()) {
                st.execute("ALTER PUBLICATION " + TableId.quoteIdentifier(publication) + " ADD TABLE " + heartbeat.quoted());
            }
            published.add(heartbeat.toString());
            LOG.infof("Added %s to the existing publication %s", heartbeat, publication);
        }
        List<String> missing = tables.stream().map(TableId::toString).filter(t -> !published.contains(t)).toList();
        if (!missing.isEmpty() && SourceCleanup.MARK.equals(comment)) {
            // Greenlight's own publication: a table created since (or newly configured) is added.
            try (Statement st = connection.createStatement()) {
                st.execute("ALTER PUBLICATION " + name + " ADD TABLE " + String.join(", ", tables.stream()
                        .filter(t -> missing.contains(t.toString())).map(TableId::quoted).toList()));
            }
            LOG.infof("Added %s to publication %s", missing, publication);
            return;
        }
        if (!missing.isEmpty()) {
            throw new SourceNotReadyException(List.of("Publication " + publication + " exists but does not publish "
                    + missing + ". Run: ALTER PUBLICATION " + TableId.quoteIdentifier(publication) + " ADD TABLE "
                    + String.join(", ", tables.stream().filter(t -> missing.contains(t.toString()))
                    .map(TableId::quoted).toList()) + "; or set greenlight.source.publication to a new name."));
        }
        Set<String> extra = new TreeSet<>(published);
        tables.forEach(t -> extra.remove(t.toString()));
        if (!extra.isEmpty()) {
            LOG.warnf("Publication %s also publishes %s; their changes are decoded but not captured.", publication, extra);
        }
    }

    /** The partitioned tables (relkind 'p') among the captured ones. */
    private List<TableId> partitioned(Set<TableId> tables) throws SQLException {
        List<TableId> partitioned = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT c.relkind = 'p' FROM pg_class c WHERE c.oid = ?::regclass")) {
            for (TableId id : tables) {
                ps.setString(1, id.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        partitioned.add(id);
                    }
                }
            }
        }
        return partitioned;
    }

    private void checkSlot(String slot) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT plugin, database, slot_type, active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    LOG.infof("Replication slot %s does not exist yet; it is created when capture starts.", slot);
                    return;
                }
                String database = single("SELECT current_database()");
                if (!"logical".equals(rs.getString("slot_type")) || !"pgoutput".equals(rs.getString("plugin"))) {
                    throw new SourceNotReadyException(List.of("Replication slot " + slot + " uses plugin '"
                            + rs.getString("plugin") + "' (" + rs.getString("slot_type") + "); Greenlight needs a logical pgoutput slot. "
                            + "Set greenlight.source.slot to another name, or drop it: SELECT pg_drop_replication_slot('" + slot + "');"));
                }
                if (!database.equals(rs.getString("database"))) {
                    throw new SourceNotReadyException(List.of("Replication slot " + slot + " belongs to database "
                            + rs.getString("database") + ", not " + database + ". Set greenlight.source.slot to another name."));
                }
                if (rs.getBoolean("active")) {
                    // A killed predecessor's walsender can hold it until wal_sender_timeout; capture retries.
                    LOG.warnf("Replication slot %s is still in use (a previous Greenlight, or another reader). "
                            + "Capture waits for it to be released; one slot has one reader.", slot);
                }
            }
        }
    }

    private String single(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
