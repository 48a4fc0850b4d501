package io.greenlight;

import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.LossyPolicy;
import io.greenlight.dialect.MySqlDialect;
import io.greenlight.dialect.PreflightReport;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BringUpPlanTest {

    private static final Dialect MYSQL = new MySqlDialect();

    private static SourceColumn column(String name, String type, int precision, int scale) {
        return new SourceColumn(name, 0, type, type, 'X', false, !name.equals("id"), -1, precision, scale, false, null, false,
                List.of());
    }

    private static SourceTable table(String name, SourceColumn... more) {
        List<SourceColumn> columns = new java.util.ArrayList<>(List.of(column("id", "int4", 32, 0)));
        columns.addAll(List.of(more));
        return new SourceTable(new TableId("public", name), columns, List.of("id"), 'd');
    }

    private static BringUpPlan plan(Map<TableId, SourceTable> tables) {
        return BringUpPlan.of(MYSQL, tables, PreflightReport.of(MYSQL, tables.values(), LossyPolicy.of(List.of())));
    }

    private static Map<TableId, SourceTable> byId(SourceTable... tables) {
        Map<TableId, SourceTable> map = new LinkedHashMap<>();
        for (SourceTable t : tables) {
            map.put(t.id(), t);
        }
        return map;
    }

    @Test
    void refusesTheStartNamingTheTableTheTargetCannotHold() {
        String name = "t".repeat(70); // MySQL names end at 64 characters

        String refusal = plan(byId(table("orders"), table(name))).refusal().orElseThrow();

        assertTrue(refusal.startsWith("Greenlight refuses to start, the target cannot hold these names"), refusal);
        assertTrue(refusal.contains(name), refusal);
        assertTrue(!refusal.contains("orders"), refusal);
    }

    @Test
    void startsWhenTheTargetCanHoldEveryName() {
        assertTrue(plan(byId(table("orders"), table("customers"))).refusal().isEmpty());
    }

    @Test
    void aTableHeldForALossNotAcceptedIsNotCopiedWhileTheOthersAre() {
        SourceTable lossy = table("shops", column("opens", "timetz", 6, -1)); // the offset is lost
        SourceTable exact = table("orders");

        BringUpPlan plan = plan(byId(lossy, exact));

        assertEquals(List.of(lossy.id()), List.copyOf(plan.lossHeld().keySet()));
        assertTrue(plan.lossHeld().get(lossy.id()).contains(LossyPolicy.KEY + "=public.shops.opens"), plan.lossHeld().toString());
        assertEquals(List.of(exact.id()), List.copyOf(plan.toCopy(true, Map.of()).keySet()));
        assertEquals(List.of(), List.copyOf(plan.toCopy(false, byId(lossy)).keySet()));
    }

    @Test
    void thePlanStaysAsTheChecksFoundIt() {
        Map<TableId, SourceTable> found = byId(table("orders"));
        BringUpPlan plan = plan(found);

        found.put(new TableId("public", "later"), table("later"));

        assertEquals(List.of(new TableId("public", "orders")), List.copyOf(plan.tables().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> plan.tables().clear());
        assertThrows(UnsupportedOperationException.class, () -> plan.lossHeld().clear());
    }
}
