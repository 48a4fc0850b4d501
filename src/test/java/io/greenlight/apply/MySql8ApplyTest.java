package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.schema.UnchangedToast;
import io.greenlight.testing.Sql;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mysql.MySQLContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The apply writes against MySQL 8 itself (row-alias upserts, strict mode), where the in-JVM test
 * servers only have MariaDB. Skipped where Docker is missing.
 */
@Testcontainers(disabledWithoutDocker = true)
class MySql8ApplyTest {

    @Container
    private static final MySQLContainer MYSQL = new MySQLContainer("mysql:8.4");

    private static final TableId DOCS = new TableId("public", "docs");
    private static final Schema ROW = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
            .field("title", Schema.OPTIONAL_STRING_SCHEMA).field("body", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final SourceTable TABLE = new SourceTable(DOCS, List.of(
            new SourceColumn("id", 1, "int4", "integer", 'N', false, false, -1, 32, 0, false, null, false, List.of()),
            new SourceColumn("title", 2, "text", "text", 'S', false, true, -1, -1, -1, false, null, false, List.of()),
            new SourceColumn("body", 3, "text", "text", 'S', false, false, -1, -1, -1, false, null, false, List.of())),
            List.of("id"), 'd');
    private static Dialect dialect;

    @BeforeAll
    static void createTable() throws Exception {
        try (Connection c = connect()) {
            String version = Sql.rows(c, "SELECT version()").get(0).get(0);
            dialect = Dialect.forTarget(MYSQL.getJdbcUrl(), version, LossyPolicy.of(List.of()));
            Sql.exec(c, dialect.createTable(TABLE));
        }
    }

    @Test
    void upsertsAndAnUpdateLeavingANotNullToastColumnUnchangedWork() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            new BatchWriter(dialect, Map.of(DOCS, TABLE), null).write(c, List.of(
                    TestChanges.of(DOCS, ChangeOp.READ, row(1, "first", "a long body"), 1),
                    TestChanges.of(DOCS, ChangeOp.UPDATE, row(1, "second", "a new body"), 2),
                    TestChanges.of(DOCS, ChangeOp.UPDATE, row(1, "renamed", UnchangedToast.PLACEHOLDER), 3)));
            c.commit();
            assertEquals(List.of(List.of("1", "renamed", "a new body")), Sql.rows(c, "SELECT id, title, body FROM docs"));
        }
    }

    @Test
    void aTruncateIsATransactionOfItsOwnBecauseMySqlCommitsItImplicitly() {
        assertTrue(dialect.truncateCommitsImplicitly());
    }

    private static Struct row(int id, String title, String body) {
        return new Struct(ROW).put("id", id).put("title", title).put("body", body);
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(Dialect.connectionUrl(MYSQL.getJdbcUrl()), MYSQL.getUsername(), MYSQL.getPassword());
    }
}
