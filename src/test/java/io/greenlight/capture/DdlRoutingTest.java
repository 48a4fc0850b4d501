package io.greenlight.capture;

import io.greenlight.schema.DdlEvent;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a DDL message goes when the table's name and its oid tell different stories. */
class DdlRoutingTest {

    private static final Schema SOURCE = SchemaBuilder.struct().field("schema", Schema.OPTIONAL_STRING_SCHEMA)
            .field("table", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema MESSAGE = SchemaBuilder.struct().field("prefix", Schema.STRING_SCHEMA)
            .field("content", Schema.OPTIONAL_BYTES_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).field("source", SOURCE)
            .field("message", MESSAGE).build();
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId ORDERS_OLD = new TableId("public", "orders_old");

    private final List<TableId> created = new ArrayList<>();
    private final List<List<TableId>> renamed = new ArrayList<>();
    private final DdlRouting routing = new DdlRouting(Map.of(ORDERS, "t.public.orders"), Map.of(100L, ORDERS),
            Set.of("public"), created::add, (from, to) -> renamed.add(List.of(from, to)));

    @Test
    void aCapturedTableRenamedInAMigratedSchemaIsRoutedUnderItsCapturedNameAndReportedToBeCopiedUnderTheNewOne() {
        DdlEvent event = routed(message("ALTER TABLE", "orders_old", 100, false));
        assertEquals(ORDERS, event.table());
        assertEquals(java.util.Optional.of(ORDERS_OLD), event.copiedAs());
        assertEquals(List.of(List.of(ORDERS, ORDERS_OLD)), renamed);
    }

    @Test
    void anotherTableTakingACapturedTablesNameIsMarkedAsReplacingIt() {
        DdlEvent event = routed(message("ALTER TABLE", "orders", 200, false));
        assertEquals(ORDERS, event.table());
        assertTrue(event.replaced(), "a table swap: the definition is not the captured table's");
        assertFalse(routed(message("ALTER TABLE", "orders", 100, false)).replaced());
    }

    @Test
    void aPartitionCreatedInAMigratedSchemaIsNoNewTableButAPlainTableIs() {
        assertTrue(routing.route(message("CREATE TABLE", "orders_2025", 300, true)).isEmpty());
        assertEquals(List.of(), created, "a partition's rows come through its captured root");
        routing.route(message("CREATE TABLE", "invoices", 301, false));
        assertEquals(List.of(new TableId("public", "invoices")), created);
    }

    private DdlEvent routed(SourceRecord record) {
        Struct value = routing.route(record).orElseThrow().value();
        return DdlEvent.parse((byte[]) value.getStruct("message").get("content"));
    }

    private static SourceRecord message(String tag, String table, long oid, boolean partition) {
        String content = "{\"tag\":\"" + tag + "\",\"objectType\":\"table\",\"identity\":\"public." + table
                + "\",\"statement\":\"...\",\"schema\":\"public\",\"table\":\"" + table + "\",\"definition\":{\"oid\":\"" + oid
                + "\",\"schema\":\"public\",\"table\":\"" + table + "\",\"partition\":" + partition
                + ",\"replicaIdentity\":\"d\",\"columns\":[],\"missing\":{},\"indexes\":[]}}";
        Struct value = new Struct(ENVELOPE).put("op", "m").put("source", new Struct(SOURCE))
                .put("message", new Struct(MESSAGE).put("prefix", DdlEvent.PREFIX).put("content", content.getBytes(StandardCharsets.UTF_8)));
        return new SourceRecord(Map.of(), Map.of(), "t.message", null, null, null, ENVELOPE, value);
    }
}
