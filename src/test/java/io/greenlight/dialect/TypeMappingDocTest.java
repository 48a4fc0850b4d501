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
 * docs/types.md's type mapping table cannot drift: each row's PostgreSQL column is created on the real
 * PostgreSQL, read back through the catalog, mapped by the code, and the target table is created
 * on the real MariaDB. The same source columns created on a PostgreSQL target keep their type exactly.
 */
class TypeMappingDocTest {

    static final String HEADING = "## Type mapping (PostgreSQL → MySQL/MariaDB)";
    private static final Path DOC = Path.of("docs/types.md");
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
            Sql.exec(pg, "CREATE EXTENSION IF NOT EXISTS hstore", "CREATE EXTENSION IF NOT EXISTS ltree",
                    "CREATE EXTENSION IF NOT EXISTS isn", "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
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

    /** Only what the connector cannot carry is lossy PostgreSQL to PostgreSQL (docs/postgres-target.md). */
    private static final List<String> LOSSY_ON_POSTGRES = List.of("timetz", "integer GENERATED ALWAYS AS (1) STORED");

    @Test
    void everyDocumentedSourceColumnIsCreatedWithTheSameTypeOnAPostgresTarget() throws Exception {
        List<DocRow> rows = rows();
        TestServers servers = TestServers.get();
        String db = DB + "_pg";
        servers.postgres.createDatabase(db);
        servers.targetPostgres().createDatabase(db);
        PostgresDialect dialect = new PostgresDialect();
        List<String> differences = new ArrayList<>();
        try (Connection pg = servers.postgres.connect(db); Connection target = servers.targetPostgres().connect(db)) {
            Sql.exec(pg, "CREATE EXTENSION IF NOT EXISTS hstore", "CREATE EXTENSION IF NOT EXISTS ltree",
                    "CREATE EXTENSION IF NOT EXISTS isn", "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)");
            Sql.exec(target, "CREATE EXTENSION IF NOT EXISTS hstore", "CREATE EXTENSION IF NOT EXISTS ltree",
                    "CREATE EXTENSION IF NOT EXISTS isn");
            SourceCatalog catalog = new SourceCatalog(pg);
            String describe = "SELECT format_type(a.atttypid, a.atttypmod), a.attidentity <> '',"
                    + " pg_get_serial_sequence('public.doc_' || ?, 'c') IS NOT NULL"
                    + " FROM pg_attribute a WHERE a.attrelid = ('public.doc_' || ?)::regclass AND a.attname = 'c'";
            for (int i = 0; i < rows.size(); i++) {
                DocRow row = rows.get(i);
                Sql.exec(pg, "CREATE TABLE doc_" + i + " (c " + row.pgDefinition() + ")");
                SourceTable table = catalog.table(new TableId("public", "doc_" + i)).orElseThrow();
                TypeMapping mapping = dialect.mapping(table, table.column("c").orElseThrow());
                boolean lossy = LOSSY_ON_POSTGRES.contains(row.pgDefinition());
                if (mapping.lossy() != lossy) {
                    differences.add(row.pgDefinition() + ": lossy " + mapping.lossy() + ", expected " + lossy);
                }
                Sql.exec(target, dialect.createTable(table));
                List<String> source = Sql.rows(pg, describe, String.valueOf(i), String.valueOf(i)).get(0);
                List<String> created = Sql.rows(target, describe, String.valueOf(i), String.valueOf(i)).get(0);
                // A domain arrives as its base type (documented): the source column's type is then the base type's.
                if (row.pgDefinition().equals("positive_int")) {
                    source = List.of("integer", source.get(1), source.get(2));
                }
                if (!source.equals(created)) {
                    differences.add(row.pgDefinition() + ": source [type, identity, owns sequence] " + source
                            + ", target " + created);
                }
            }
        }
        assertEquals(List.of(), differences, "PostgreSQL target columns differ from their source");
    }
}
