package io.greenlight.capture;

import io.greenlight.schema.TableId;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Source names capture cannot carry intact are refused at start against a real PostgreSQL, naming them. */
class SourcePreflightNamesTest {

    private static final String DB = "preflight_names";

    @BeforeAll
    static void createTables() throws Exception {
        TestServers.get().postgres.createDatabase(DB);
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            Sql.exec(c, "CREATE TABLE quoted (id int PRIMARY KEY, \"'a'\" text, \"`b`\" text, \"'c\" text)");
        }
    }

    @Test
    void columnNamesWrappedInQuotesAreRefusedBecauseStreamingWouldStripThem() throws Exception {
        try (Connection c = TestServers.get().postgres.connect(DB)) {
            SourceNotReadyException e = assertThrows(SourceNotReadyException.class, () -> new SourcePreflight(c)
                    .prepare(List.of(new TableId("public", "quoted")), "preflight_names", "preflight_names"));
            assertEquals(List.of(
                    "Table \"public\".\"quoted\": the name \"'a'\" begins and ends with '; Debezium's streaming strips those "
                            + "and would lose it. Rename it on the source.",
                    "Table \"public\".\"quoted\": the name \"`b`\" begins and ends with `; Debezium's streaming strips those "
                            + "and would lose it. Rename it on the source."), List.of(e.getMessage().split("\n")));
        }
    }
}
