package io.greenlight.dialect;

import io.greenlight.apply.TargetTables;
import io.greenlight.schema.NumericExtent;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.greenlight.dialect.MySqlDialectTest.column;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Target tables on the real MariaDB, through a connection with Greenlight's own session settings
 * ({@link Dialect#connectionUrl}): keys keep PostgreSQL's identity of rows, and tables PostgreSQL
 * accepts are accepted.
 */
class MySqlTargetTablesTest {

    private static final String DB = "target_tables_test";
    private static final MySqlDialect DIALECT = new MySqlDialect();

    @BeforeAll
    static void database() throws Exception {
        TestServers.get().mariadb.createDatabase(DB);
    }

    /** A target connection as Greenlight opens it: the dialect's session settings on the URL. */
    static Connection target() throws Exception {
        Properties props = new Properties();
        props.put("user", "root");
        props.put("password", "");
        return new com.mysql.cj.jdbc.Driver().connect(Dialect.connectionUrl(TestServers.get().mariadb.jdbcUrl(DB)), props);
    }

    private static SourceTable table(String name, List<SourceColumn> columns, List<String> key) {
        return new SourceTable(new TableId("public", name), columns, key, 'd');
    }

    private static void upsert(Connection c, SourceTable table, Object... values) throws Exception {
        List<String> names = table.columns().stream().map(SourceColumn::name).toList();
        try (PreparedStatement ps = c.prepareStatement(DIALECT.upsert(table, names))) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    @Test
    void keyZeroOnAnAutoIncrementColumnIsStoredAsZeroNotAsTheNextId() throws Exception {
        SourceColumn id = new SourceColumn("id", 1, "int4", "integer", 'N', false, false, -1, 32, 0, false,
                "nextval('serials_id_seq'::regclass)", false, List.of());
        SourceTable serials = table("serials", List.of(id, column("v", "text", -1, -1, -1, true)), List.of("id"));
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(serials));
            upsert(c, serials, 5, "five");
            upsert(c, serials, 0, "zero");
            upsert(c, serials, 0, "zero again");
            assertEquals(List.of(List.of("0", "zero again"), List.of("5", "five")),
                    Sql.rows(c, "SELECT id, v FROM serials ORDER BY id"));
        }
    }

    @Test
    void keyZeroSurvivesACopyingAlterTableAndTheCutoversAutoIncrementSync() throws Exception {
        SourceColumn id = new SourceColumn("id", 1, "int4", "integer", 'N', false, false, -1, 32, 0, true, null, false, List.of());
        SourceTable serials = table("serials_altered", List.of(id, column("v", "text", -1, -1, -1, true)), List.of("id"));
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(serials));
            upsert(c, serials, 0, "zero");
            upsert(c, serials, 1, "one");
            SourceColumn wider = new SourceColumn("id", 1, "int8", "bigint", 'N', false, false, -1, 64, 0, true, null, false, List.of());
            Sql.exec(c, DIALECT.modifyColumn(serials, wider), DIALECT.continueKeysAt(serials, 10));
            Sql.exec(c, "INSERT INTO serials_altered (v) VALUES ('generated')");
            assertEquals(List.of(List.of("0", "zero"), List.of("1", "one"), List.of("10", "generated")),
                    Sql.rows(c, "SELECT id, v FROM serials_altered ORDER BY id"));
        }
    }

    @Test
    void textKeysDifferingOnlyByCaseOrTrailingSpacesStayDistinctRows() throws Exception {
        SourceTable keys = new SourceTable(new TableId("public", "text_keys"), List.of(column("k", "text", -1, -1, -1, false),
                column("email", "varchar", 100, -1, -1, true), column("v", "int4", -1, 32, 0, true)),
                List.of("k"), List.of(List.of("email")), 'd');
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(keys));
            String[] distinct = {"abc", "abc ", "abc  ", "Abc", "ABC", "abc\t"};
            for (int i = 0; i < distinct.length; i++) {
                upsert(c, keys, distinct[i], "m" + distinct[i], i);
            }
            assertEquals(distinct.length, Sql.count(c, "text_keys"));
            upsert(c, keys, "abc ", "mabc ", 100);
            assertEquals(List.of(List.of("100")), Sql.rows(c, "SELECT v FROM text_keys WHERE k = 'abc '"));
            assertEquals(List.of(List.of("0")), Sql.rows(c, "SELECT v FROM text_keys WHERE k = 'abc'"));
        }
    }

    @Test
    void charColumnsKeepPostgresPaddingSemantics() throws Exception {
        SourceTable codes = table("char_codes", List.of(column("code", "bpchar", 5, -1, -1, false),
                column("v", "int4", -1, 32, 0, true)), List.of("code"));
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(codes));
            upsert(c, codes, "ab   ", 1); // PostgreSQL sends char(5) padded
            upsert(c, codes, "ab", 2);    // and 'ab' = 'ab   ' in PostgreSQL: the same row
            assertEquals(List.of(List.of("ab", "2")), Sql.rows(c, "SELECT code, v FROM char_codes"));
            try (PreparedStatement ps = c.prepareStatement(DIALECT.delete(codes, List.of("code")))) {
                ps.setString(1, "ab   ");
                assertEquals(1, ps.executeUpdate());
            }
        }
    }

    @Test
    void jsonAndTextColumnsOfOneTableCanBeConcatenatedAndComparedByTheApplication() throws Exception {
        SourceTable items = table("mixed_text", List.of(column("id", "int4", -1, 32, 0, false),
                column("label", "text", -1, -1, -1, false), column("payload", "jsonb", -1, -1, -1, false)), List.of("id"));
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(items));
            upsert(c, items, 1, "a", "{\"k\": 1}");
            assertEquals(List.of(List.of("a|{\"k\": 1}")), Sql.rows(c, "SELECT CONCAT_WS('|', label, payload) FROM mixed_text"));
            assertEquals(List.of(List.of("0")), Sql.rows(c, "SELECT label = payload FROM mixed_text"));
        }
    }

    @Test
    void aTableOfManyVarcharsBeyondTheRowLimitIsCreatedWithTheWidestAsCheckedText() throws Exception {
        List<SourceColumn> columns = new ArrayList<>();
        columns.add(column("id", "int4", -1, 32, 0, false));
        for (int i = 1; i <= 20; i++) {
            columns.add(column("c" + i, "varchar", 1000, -1, -1, true));
        }
        columns.add(column("code", "varchar", 20, -1, -1, true));
        SourceTable wide = table("wide_form", columns, List.of("id"));
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(wide));
            List<String> names = wide.columns().stream().map(SourceColumn::name).toList();
            Object[] values = new Object[names.size()];
            values[0] = 1;
            for (int i = 1; i < values.length; i++) {
                values[i] = "ü".repeat(i == values.length - 1 ? 20 : 1000);
            }
            upsert(c, wide, values);
            assertEquals(List.of(List.of("1000", "20")), Sql.rows(c, "SELECT char_length(c20), char_length(code) FROM wide_form"));
            Sql.exec(c, "DELETE FROM wide_form");
            values[1] = "x".repeat(1001);
            Exception tooLong = assertThrows(Exception.class, () -> upsert(c, wide, values));
            assertTrue(tooLong.getMessage().contains("c1"), "the length check names the column: " + tooLong.getMessage());
        }
        assertEquals("VARCHAR(20)", DIALECT.mapping(wide, wide.column("code").orElseThrow()).sqlType());
        assertTrue(DIALECT.mapping(wide, wide.column("c1").orElseThrow()).note().contains("65,535"));
    }

    @Test
    void aTableTheTargetRefusesIsNamedWithTheStatement() throws Exception {
        List<SourceColumn> columns = new ArrayList<>();
        for (int i = 0; i < 1100; i++) { // PostgreSQL allows 1600 columns, InnoDB 1017
            columns.add(column("c" + i, "int4", -1, 32, 0, true));
        }
        SourceTable tooMany = table("too_many_columns", columns, List.of());
        SourceTable fine = table("fine_before", List.of(column("id", "int4", -1, 32, 0, false)), List.of("id"));
        try (Connection c = target()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> TargetTables.create(c, DIALECT, List.of(fine, tooMany)));
            assertTrue(e.getMessage().startsWith("The mariadb target refused to create table public.too_many_columns: "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Statement: CREATE TABLE IF NOT EXISTS `too_many_columns` (`c0` INT"),
                    e.getMessage());
            assertEquals(0, Sql.count(c, "fine_before"), "the tables before it are created");
        }
    }

    @Test
    void unconstrainedNumericsAreSizedFromTheirValuesAndARestartReadsTheSizeBackFromTheTarget() throws Exception {
        SourceTable measured = table("measured", List.of(column("id", "numeric", -1, -1, -1, false),
                column("free", "numeric", -1, -1, -1, true), column("small", "numeric", -1, -1, -1, true),
                column("huge", "numeric", -1, -1, -1, true)), List.of("id"))
                .withNumericExtents(java.util.Map.of("id", new NumericExtent(38, 0), "free", new NumericExtent(40, 2),
                        "small", new NumericExtent(3, 4), "huge", new NumericExtent(61, 7)));
        assertEquals("DECIMAL(65,27)", DIALECT.mapping(measured, measured.column("id").orElseThrow()).sqlType());
        assertEquals("DECIMAL(65,25)", DIALECT.mapping(measured, measured.column("free").orElseThrow()).sqlType());
        assertEquals("DECIMAL(65,30)", DIALECT.mapping(measured, measured.column("small").orElseThrow()).sqlType());
        TypeMapping huge = DIALECT.mapping(measured, measured.column("huge").orElseThrow());
        assertEquals("LONGTEXT", huge.sqlType());
        assertTrue(!huge.lossy() && huge.note().contains("no DECIMAL holds them, stored as exact text"), huge.note());
        String key = "12345678901234567890123456789012345678";
        String wide = "-9" + "9".repeat(39) + ".75";
        String huger = "1" + "0".repeat(60) + ".1234567";
        try (Connection c = target()) {
            Sql.exec(c, DIALECT.createTable(measured));
            upsertBound(c, measured, key, wide, "0.0001", huger);
            upsertBound(c, measured, "-" + key, null, null, "NAN"); // the connector's NaN
            assertEquals(List.of(java.util.Arrays.asList("-" + key, null, null, "NaN"), List.of(key, wide, "0.0001", huger)),
                    Sql.rows(c, "SELECT id, free, small, huge FROM measured ORDER BY id"));
            Map<TableId, SourceTable> restarted = TargetTables.sized(null, c, DIALECT,
                    Map.of(measured.id(), table("measured", measured.columns(), List.of("id"))));
            assertEquals(measured.columns().stream().map(col -> DIALECT.mapping(measured, col).sqlType()).toList(),
                    measured.columns().stream().map(col -> DIALECT.mapping(restarted.get(measured.id()), col).sqlType()).toList(),
                    "the existing target columns decide, without measuring the source again");
        }
    }

    private static void upsertBound(Connection c, SourceTable table, String... values) throws Exception {
        List<String> names = table.columns().stream().map(SourceColumn::name).toList();
        try (PreparedStatement ps = c.prepareStatement(DIALECT.upsert(table, names))) {
            for (int i = 0; i < values.length; i++) {
                DIALECT.bind(ps, i + 1, table, table.columns().get(i), org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA,
                        values[i]);
            }
            ps.executeUpdate();
        }
    }
}
