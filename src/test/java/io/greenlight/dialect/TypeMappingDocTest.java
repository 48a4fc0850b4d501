package io.greenlight.dialect;

import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README.md's type mapping table cannot drift: each row's PostgreSQL column is created on the real
 * PostgreSQL, read back through the catalog, mapped by the code, and the target table is created
 * on the real MariaDB.
 */
class TypeMappingDocTest {

    static final String HEADING = "## Type mapping (PostgreSQL → MySQL/MariaDB)";
    private static final Path DOC = Path.of("README.md");
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| `([^`]+)` \\|(.*)\\|\\s*$");
    private static final String DB = "type_doc";

    record DocRow(String pgDefinition, String mysqlType, boolean lossy) {
    }

    static List<DocRow> rows() throws Exception {
        List<DocRow> rows = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("## ")) {
                inSection = line.equals(HEADING);
            }
            Matcher m = ROW.matcher(line);
            if (!inSection) {
                continue;
            }
            if (m.matches()) {
                rows.add(new DocRow(m.group(1), m.group(2), m.group(3).trim().startsWith("**lossy**")));
            }
        }
        return rows;
    }

    @Test
    void everyDocumentedMappingIsWhatTheCodeDoes() throws Exception {
        List<DocRow> rows = rows();
        assertTrue(rows.size() > 40, "the mapping table in " + DOC + " was not found or is too short: " + rows.size());
        TestServers servers = TestServers.get();
        servers.postgres.createDatabase(DB);
        servers.mariadb.createDatabase(DB);
        MySqlDialect dialect = new MySqlDialect();
        MySqlTypeMapper mapper = new MySqlTypeMapper();
        List<String> differences = new ArrayList<>();
        try (Connection pg = servers.postgres.connect(DB); Connection maria = servers.mariadb.connect(DB)) {
            Sql.exec(pg, "CREATE EXTENSION IF NOT EXISTS hstore", "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)");
            SourceCatalog catalog = new SourceCatalog(pg);
            for (int i = 0; i < rows.size(); i++) {
                DocRow row = rows.get(i);
                Sql.exec(pg, "CREATE TABLE doc_" + i + " (c " + row.pgDefinition() + ")");
                SourceTable table = catalog.table(new TableId("public", "doc_" + i)).orElseThrow();
                SourceColumn column = table.column("c").orElseThrow();
                TypeMapping mapping = dialect.mapping(table, column);
                String actual = mapping.sqlType() + (table.hasPrimaryKey() && mapper.isAutoIncrement(column) ? " AUTO_INCREMENT" : "");
                if (!actual.equals(row.mysqlType()) || mapping.lossy() != row.lossy()) {
                    differences.add(row.pgDefinition() + ": documented " + row.mysqlType() + (row.lossy() ? " (lossy)" : "")
                            + ", code maps to " + actual + (mapping.lossy() ? " (lossy)" : ""));
                }
                Sql.exec(maria, dialect.createTable(table));
            }
        }
        assertEquals(List.of(), differences, DOC + " and MySqlTypeMapper disagree");
    }
}
