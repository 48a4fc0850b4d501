package io.greenlight.dialect;

import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import org.apache.kafka.connect.data.Schema;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Everything a target engine's SQL needs: quoting, DDL, the write statements the apply path
 * issues, and binding of change-event values. Never opens connections or loops over data.
 */
public interface Dialect {

    String name();

    /** Quotes one identifier so that any name (reserved words, quotes, unicode) is taken literally. */
    String quote(String identifier);

    /** The target table a source table is written to, quoted. */
    String tableName(SourceTable table);

    /**
     * The form under which the target compares column names: two source columns with the same
     * form would be one column there. Identity unless the target folds names.
     */
    default String columnNameKey(String column) {
        return column;
    }

    /** CREATE TABLE IF NOT EXISTS with the mapped column types and the source's primary key. */
    String createTable(SourceTable table);

    /** Insert-or-update of the given columns, keyed by the table's primary key. */
    String upsert(SourceTable table, List<String> columns);

    /**
     * Update of the given columns of the row with the table's primary key: the columns bound
     * first, then the key columns. Written for an update that leaves unchanged-TOAST columns out,
     * whose row exists: an upsert's insert part would fail on such a column when it is NOT NULL.
     */
    default String update(SourceTable table, List<String> columns) {
        return "UPDATE " + tableName(table) + " SET "
                + columns.stream().map(c -> quote(c) + " = ?").collect(java.util.stream.Collectors.joining(", "))
                + " WHERE " + table.primaryKey().stream().map(c -> quote(c) + " = ?")
                .collect(java.util.stream.Collectors.joining(" AND "));
    }

    /** Plain insert of the given columns (tables without a primary key). */
    default String insert(SourceTable table, List<String> columns) {
        return "INSERT INTO " + tableName(table) + " (" + quoteAll(columns) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
    }

    /** The identifiers quoted and comma-separated, e.g. for a column list or a key. */
    default String quoteAll(List<String> names) {
        return names.stream().map(this::quote).collect(java.util.stream.Collectors.joining(", "));
    }

    /** Deletes the row(s) matching the given columns; null-safe for keyless tables. */
    String delete(SourceTable table, List<String> matchColumns);

    String truncate(SourceTable table);

    /**
     * True when {@link #truncate} (like any DDL) commits the open transaction implicitly, as on
     * MySQL and MariaDB: apply then runs it in a transaction of its own.
     */
    default boolean truncateCommitsImplicitly() {
        return false;
    }

    String createOffsetsTable();

    /** Upsert of (topic, partition, next_offset, last_commit_lsn, lsn, source_ts_ms, lsn_rank) into the offsets table. */
    String upsertOffset();

    /** Selects topic, partition, next_offset, last_commit_lsn, lsn, source_ts_ms, lsn_rank of every stored position. */
    default String selectOffsets() {
        return "SELECT topic, kafka_partition, next_offset, last_commit_lsn, lsn, source_ts_ms, lsn_rank FROM greenlight_offsets";
    }

    /** Deletes the stored positions of one topic (bound as parameter 1): apply reads it from its start. */
    default String deleteOffsets() {
        return "DELETE FROM greenlight_offsets WHERE topic = ?";
    }

    /** Sets a stored position's next offset to 0 (topic, partition bound as parameters 1 and 2). */
    default String rewindOffset() {
        return "UPDATE greenlight_offsets SET next_offset = 0 WHERE topic = ? AND kafka_partition = ?";
    }

    String createCutoverTable();

    /** Upsert of (id, state, record JSON) into the cutover table. */
    String upsertCutover();

    /** Selects the record JSON of the cutover row with the id bound as parameter 1. */
    default String selectCutover() {
        return "SELECT record FROM greenlight_cutover WHERE id = ?";
    }

    /** Makes the table's generated keys continue at {@code next} (sequence sync at cutover). */
    String continueKeysAt(SourceTable table, long next);

    /**
     * Makes the generated keys of one column continue at {@code next}. Engines whose counter
     * belongs to the table (MySQL's AUTO_INCREMENT) ignore the column.
     */
    default String continueKeysAt(SourceTable table, String column, long next) {
        return continueKeysAt(table, next);
    }

    /** The target type of a source column and what it cannot carry. */
    TypeMapping mapping(SourceTable table, SourceColumn column);

    /** ALTER TABLE adding a column (nullable: rows written before it have no value for it). */
    String addColumn(SourceTable table, SourceColumn column);

    /** ALTER TABLE changing a column to the mapping of its new source definition. */
    String modifyColumn(SourceTable table, SourceColumn column);

    /** DROP TABLE of a table the source dropped. */
    default String dropTable(SourceTable table) {
        return "DROP TABLE IF EXISTS " + tableName(table);
    }

    /** The table of the models apply writes with after following source DDL (table_name, definition as JSON). */
    String createSchemaTable();

    /** Insert-or-replace of one table's model: parameters table name, definition. */
    String upsertSchema();

    default String selectSchemas() {
        return "SELECT table_name, definition FROM greenlight_schema";
    }

    default String deleteSchema() {
        return "DELETE FROM greenlight_schema WHERE table_name = ?";
    }

    /** ALTER TABLE renaming a column (the source renamed it: the target's values stay where they are). */
    default String renameColumn(SourceTable table, String from, String to) {
        return "ALTER TABLE " + tableName(table) + " RENAME COLUMN " + quote(from) + " TO " + quote(to);
    }

    /** ALTER TABLE dropping a column the source dropped (greenlight.schema.dropped-columns=drop). */
    default String dropColumn(SourceTable table, String column) {
        return "ALTER TABLE " + tableName(table) + " DROP COLUMN " + quote(column);
    }

    /** CREATE [UNIQUE] INDEX on plain columns, named as on the source. */
    default String createIndex(SourceTable table, String name, boolean unique, List<String> columns) {
        return "CREATE " + (unique ? "UNIQUE " : "") + "INDEX " + quote(name) + " ON " + tableName(table)
                + " (" + quoteAll(columns) + ")";
    }

    /** DROP INDEX of an index created by {@link #createIndex} (or by the source's name). */
    String dropIndex(SourceTable table, String name);

    /**
     * Sets one column of the row with the given key: parameters are the value as text, then the key
     * columns' values as text (copying values the source computed, e.g. a volatile ADD COLUMN default).
     */
    default String setColumnByKey(SourceTable table, SourceColumn column) {
        return backfillColumn(table, column).replaceFirst(" WHERE .*$", "") + " WHERE "
                + table.primaryKey().stream().map(k -> quote(k) + " = ?").collect(java.util.stream.Collectors.joining(" AND "));
    }

    /** Fills a just-added column for the rows that existed before it: one parameter, the value as text. */
    String backfillColumn(SourceTable table, SourceColumn column);

    /** True when an upsert failed because the row matched a different row through a non-primary unique key. */
    boolean isOtherRowMatch(java.sql.SQLException e);

    /**
     * Binds one change-event value (Kafka Connect representation) for the given column; raises
     * {@link LossyValueException} for a value the target cannot hold unless that loss is accepted.
     */
    void bind(PreparedStatement statement, int index, SourceTable table, SourceColumn column, Schema valueSchema,
              Object value) throws SQLException;

    /** {@link #bind} for one column, decided once for many rows. */
    default ColumnBinding binding(SourceTable table, SourceColumn column) {
        return (statement, index, valueSchema, value) -> bind(statement, index, table, column, valueSchema, value);
    }

    /**
     * Whether the target sizes unconstrained numeric columns from the values they hold (its
     * decimals have a fixed precision): then each table's {@link io.greenlight.schema.NumericExtent}s
     * are measured before its target table is created.
     */
    default boolean sizesNumericFromValues() {
        return false;
    }

    /**
     * The extent an existing target column of this type ({@link java.sql.DatabaseMetaData#getColumns}'s
     * TYPE_NAME, COLUMN_SIZE, DECIMAL_DIGITS) was sized for: a restart keeps the table's choice.
     */
    default Optional<io.greenlight.schema.NumericExtent> numericExtentOf(String targetType, int precision, int scale) {
        return Optional.empty();
    }

    /**
     * Whether a numeric column sized for this extent is still a number on the target. A streamed
     * value that needs more widens its column only while this holds; past it the value pauses its
     * table (the column never silently turns into text while the application may read it).
     */
    default boolean holdsAsNumber(io.greenlight.schema.NumericExtent extent) {
        return true;
    }

    /** The backfill's progress table: one row per copied chunk, and per table (chunk -1) its plan and state. */
    default String createBackfillTable() {
        return "CREATE TABLE IF NOT EXISTS greenlight_backfill (table_name VARCHAR(255) NOT NULL, chunk INT NOT NULL, "
                + "rows_copied BIGINT NOT NULL, chunks_total INT NOT NULL, done INT NOT NULL, skip_snapshot TEXT NULL, "
                + "PRIMARY KEY (table_name, chunk))";
    }

    /** Inserts (table_name, chunk, rows_copied, chunks_total, done, skip_snapshot) into the backfill table. */
    default String insertBackfill() {
        return "INSERT INTO greenlight_backfill (table_name, chunk, rows_copied, chunks_total, done, skip_snapshot) "
                + "VALUES (?, ?, ?, ?, ?, ?)";
    }

    /** Deletes a table's backfill rows (table_name bound as parameter 1). */
    default String deleteBackfill() {
        return "DELETE FROM greenlight_backfill WHERE table_name = ?";
    }

    /** Marks a table's backfill done: done = 1, rows_copied = ? (1), for table_name = ? (2), chunk -1. */
    default String finishBackfill() {
        return "UPDATE greenlight_backfill SET done = 1, rows_copied = ? WHERE table_name = ? AND chunk = -1";
    }

    /** Selects table_name, chunk, rows_copied, chunks_total, done, skip_snapshot of every backfill row. */
    default String selectBackfill() {
        return "SELECT table_name, chunk, rows_copied, chunks_total, done, skip_snapshot FROM greenlight_backfill";
    }

    /** Removes every row of a target table (a table's backfill starts on an empty table). */
    default String deleteAll(SourceTable table) {
        return "DELETE FROM " + tableName(table);
    }

    /**
     * The statement the backfill loads a chunk's rows with, one JDBC batch of bound rows: a plain
     * insert into a table the backfill emptied first. Used where {@link #bulkLoad} has none (or the
     * target refuses it), and to name a row the bulk load refused.
     */
    default String backfillInsert(SourceTable table, List<String> columns) {
        return insert(table, columns);
    }

    /**
     * A bulk-load statement reading the given columns as tab-separated text from a client-side
     * stream ({@link #bulkRows} renders it: MySQL's LOAD DATA LOCAL, PostgreSQL's COPY FROM STDIN),
     * or empty when the target has none and the backfill uses {@link #backfillInsert} batches.
     */
    default Optional<String> bulkLoad(SourceTable table, List<String> columns) {
        return Optional.empty();
    }

    /** The renderer of the rows {@link #bulkLoad}'s statement reads, with room for about {@code initialBytes}. */
    default TabSeparatedRows bulkRows(int initialBytes) {
        return new TabSeparatedRows(initialBytes);
    }

    /**
     * What a target connection used for {@link #bulkLoad} needs on top of {@link #connectionUrl}:
     * the same URL when any target connection may run it.
     */
    default String bulkLoadUrl(String connectionUrl) {
        return connectionUrl;
    }

    /** The JDBC URL to connect to a target with: adds the session settings the dialects' SQL relies on. */
    static String connectionUrl(String configuredUrl) {
        if (configuredUrl.startsWith("jdbc:mysql:") || configuredUrl.startsWith("jdbc:mariadb:")) {
            return MySqlDialect.connectionUrl(configuredUrl);
        }
        // PostgreSQL: no batch rewriting; a multi-row ON CONFLICT DO UPDATE cannot touch one key twice.
        return configuredUrl;
    }

    /** The dialect for a target, given its JDBC URL and {@code SELECT version()}. */
    static Dialect forTarget(String jdbcUrl, String serverVersion, LossyPolicy lossy) {
        if (jdbcUrl.startsWith("jdbc:mysql:") || jdbcUrl.startsWith("jdbc:mariadb:")) {
            MySqlServer server = MySqlServer.parse(serverVersion);
            server.requireSupported();
            return new MySqlDialect(server, lossy);
        }
        if (isPostgres(jdbcUrl)) {
            PostgresVersion.parse(serverVersion).requireSupported();
            return new PostgresDialect(lossy);
        }
        throw new IllegalArgumentException("No target dialect for " + jdbcUrl.split("//")[0]
                + "; greenlight.target.url must start with one of " + String.join(", ", TARGET_URL_PREFIXES));
    }

    /** The JDBC URL prefixes of the targets Greenlight writes to. */
    List<String> TARGET_URL_PREFIXES = List.of("jdbc:mysql:", "jdbc:mariadb:", "jdbc:postgresql:");

    static boolean isPostgres(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }
}
