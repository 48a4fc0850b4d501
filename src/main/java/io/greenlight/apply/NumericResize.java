package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.NumericExtent;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Widens the target's size of an unconstrained numeric column when a streamed value needs more
 * digits than the values measured before the copy ({@link NumericExtent}): a value the chosen
 * DECIMAL cannot hold but a wider one can widens the column instead of stopping the table.
 */
final class NumericResize {

    private final Dialect dialect;

    NumericResize(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * A model whose extents hold a row's values ({@code table} is the model itself when they did
     * already), and the columns whose extent was read from the target, altered there by hand.
     */
    record Fit(SourceTable table, Set<String> alteredOnTarget) {
    }

    /** The model whose extents hold the row's values. */
    Fit fit(Connection target, SourceTable model, Struct row) throws SQLException {
        if (model.numericExtents().isEmpty()) {
            return new Fit(model, Set.of());
        }
        Set<String> alteredOnTarget = new HashSet<>();
        Map<String, NumericExtent> wider = null;
        Map<String, NumericExtent> onTarget = null;
        for (Field field : row.schema().fields()) {
            NumericExtent current = model.numericExtents().get(field.name());
            if (current == null || !(row.get(field) instanceof String text)) {
                continue;
            }
            NumericExtent value = NumericExtent.of(text);
            if (value == null || current.holds(value)) {
                continue;
            }
            if (wider == null) {
                wider = new HashMap<>(model.numericExtents());
            }
            if (dialect.holdsAsNumber(current.union(value))) {
                wider.merge(field.name(), value, NumericExtent::union);
                continue;
            }
            // Beyond any number: the operator may have altered the column (the remedy the pause advises).
            onTarget = onTarget != null ? onTarget : TargetTables.onTarget(target, dialect, model);
            NumericExtent altered = onTarget.get(field.name());
            if (altered != null && altered.holds(value)) {
                wider.put(field.name(), altered);
                alteredOnTarget.add(field.name());
            } // else binding refuses the value and the table pauses with the remedy
        }
        return wider == null || wider.equals(model.numericExtents()) ? new Fit(model, Set.of())
                : new Fit(model.withNumericExtents(wider), alteredOnTarget);
    }

    /** The DDL that makes the target's columns follow the wider model: empty where the type does not change. */
    List<String> ddl(SourceTable from, Fit to) {
        List<String> ddl = new ArrayList<>();
        for (SourceColumn column : to.table().columns()) {
            if (!to.alteredOnTarget().contains(column.name())
                    && !to.table().numericExtent(column.name()).equals(from.numericExtent(column.name()))
                    && !dialect.mapping(from, column).sqlType().equals(dialect.mapping(to.table(), column).sqlType())) {
                ddl.add(dialect.modifyColumn(to.table(), column));
            }
        }
        return ddl;
    }
}
