package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import org.apache.kafka.connect.data.Schema;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/** MySQL 8.0+ and MariaDB 10.11+: the SQL both accept. */
public final class MySqlDialect implements Dialect {

    /** MySQL's identifier limit, in characters. */
    static final int MAX_IDENTIFIER = 64;

    private final MySqlTypeMapper types = new MySqlTypeMapper();
    private final MySqlValueBinder binder = new MySqlValueBinder();

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    public String quote(String identifier) {
        if (identifier.isEmpty() || identifier.codePointCount(0, identifier.length()) > MAX_IDENTIFIER) {
            throw new IllegalArgumentException("Identifier '" + identifier + "' is empty or longer than MySQL's "
                    + MAX_IDENTIFIER + " characters; rename it on the source before migrating");
        }
        return '`' + identifier.replace("`", "``") + '`';
    }

    @Override
    public String tableName(SourceTable table) {
        return quote(table.id().table());
    }

    @Override
    public String createTable(SourceTable table) {
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(tableName(table)).append(" (");
        boolean first = true;
        for (SourceColumn column : table.columns()) {
            if (!first) {
                sql.append(", ");
            }
            first = false;
            boolean key = table.primaryKey().contains(column.name());
            sql.append(quote(column.name())).append(' ').append(types.columnType(column, key));
            if (!column.nullable() || key) {
                sql.append(" NOT NULL");
            }
            if (key && table.primaryKey().size() == 1 && types.isAutoIncrement(column)) {
                sql.append(" AUTO_INCREMENT");
            }
        }
        if (table.hasPrimaryKey()) {
            sql.append(", PRIMARY KEY (").append(quoteAll(table.primaryKey())).append(')');
        }
        return sql.append(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin").toString();
    }

    @Override
    public String upsert(SourceTable table, List<String> columns) {
        List<String> updatable = columns.stream().filter(c -> !table.primaryKey().contains(c)).toList();
        // VALUES(col) is accepted by both MariaDB and MySQL 8 (the row alias form is MySQL-only).
        String update = updatable.isEmpty()
                ? quote(columns.get(0)) + " = " + quote(columns.get(0))
                : updatable.stream().map(c -> quote(c) + " = VALUES(" + quote(c) + ")").collect(Collectors.joining(", "));
        return insert(table, columns) + " ON DUPLICATE KEY UPDATE " + update;
    }

    @Override
    public String insert(SourceTable table, List<String> columns) {
        return "INSERT INTO " + tableName(table) + " (" + quoteAll(columns) + ") VALUES ("
                + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    }

    @Override
    public String delete(SourceTable table, List<String> matchColumns) {
        String where = matchColumns.stream().map(c -> quote(c) + " <=> ?").collect(Collectors.joining(" AND "));
        // A keyless table may hold identical rows: a delete event removes exactly one of them.
        return "DELETE FROM " + tableName(table) + " WHERE " + where + (table.hasPrimaryKey() ? "" : " LIMIT 1");
    }

    @Override
    public String truncate(SourceTable table) {
        return "TRUNCATE TABLE " + tableName(table);
    }

    @Override
    public String createOffsetsTable() {
        return "CREATE TABLE IF NOT EXISTS greenlight_offsets (topic VARCHAR(249) NOT NULL, "
                + "kafka_partition INT NOT NULL, next_offset BIGINT NOT NULL, "
                + "last_commit_lsn BIGINT NULL, lsn BIGINT NULL, source_ts_ms BIGINT NULL, "
                + "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), "
                + "PRIMARY KEY (topic, kafka_partition)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    @Override
    public String upsertOffset() {
        return "INSERT INTO greenlight_offsets (topic, kafka_partition, next_offset, last_commit_lsn, lsn, source_ts_ms) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset), "
                + "last_commit_lsn = VALUES(last_commit_lsn), lsn = VALUES(lsn), source_ts_ms = VALUES(source_ts_ms)";
    }

    @Override
    public String selectOffsets() {
        return "SELECT topic, kafka_partition, next_offset, last_commit_lsn, lsn, source_ts_ms FROM greenlight_offsets";
    }

    @Override
    public String createCutoverTable() {
        return "CREATE TABLE IF NOT EXISTS greenlight_cutover (id VARCHAR(64) NOT NULL PRIMARY KEY, state VARCHAR(32) NOT NULL, "
                + "record LONGTEXT NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) "
                + "ON UPDATE CURRENT_TIMESTAMP(6)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    @Override
    public String upsertCutover() {
        return "INSERT INTO greenlight_cutover (id, state, record) VALUES (?, ?, ?) "
                + "ON DUPLICATE KEY UPDATE state = VALUES(state), record = VALUES(record)";
    }

    @Override
    public String selectCutover() {
        return "SELECT record FROM greenlight_cutover WHERE id = ?";
    }

    @Override
    public String maxOf(SourceTable table, String column) {
        return "SELECT COALESCE(MAX(" + quote(column) + "), 0) FROM " + tableName(table);
    }

    @Override
    public String continueKeysAt(SourceTable table, long next) {
        // A number we computed, not input: ALTER TABLE takes no bind parameters.
        return "ALTER TABLE " + tableName(table) + " AUTO_INCREMENT = " + Math.max(1, next);
    }

    @Override
    public void bind(PreparedStatement statement, int index, SourceColumn column, Schema valueSchema, Object value)
            throws SQLException {
        binder.bind(statement, index, column, valueSchema, value);
    }

    private String quoteAll(List<String> names) {
        return names.stream().map(this::quote).collect(Collectors.joining(", "));
    }
}
