package io.greenlight.apply;

import io.greenlight.dialect.Dialect;
import io.greenlight.schema.NumericExtent;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /** The model whose extents hold the row's values: {@code model} itself when they do already. */
    SourceTable fit(SourceTable model, Struct row) {
        if (model.numericExtents().isEmpty()) {
            return model;
        }
        Map<String, NumericExtent> wider = null;
        for (Field field : row.schema().fields()) {
            NumericExtent current = model.numericExtents().get(field.name());
            if (current == null || !(row.get(field) instanceof String text)) {
                continue;
            }
            NumericExtent value = NumericExtent.of(text);
            if (value != null && !current.holds(value) && dialect.holdsAsNumber(current.union(value))) {
                if (wider == null) {
                    wider = new HashMap<>(model.numericExtents());
                }
                wider.merge(field.name(), value, NumericExtent::union);
            } // beyond what a number holds: binding refuses the value and the table pauses with the remedy
        }
        return wider == null ? model : model.withNumericExtents(wider);
    }

    /** The DDL that makes the target's columns follow the wider model: empty where the type does not change. */
    List<String> ddl(SourceTable from, SourceTable to) {
        List<String> ddl = new ArrayList<>();
        for (SourceColumn column : to.columns()) {
            if (!to.numericExtent(column.name()).equals(from.numericExtent(column.name()))
                    && !dialect.mapping(from, column).sqlType().equals(dialect.mapping(to, column).sqlType())) {
                ddl.add(dialect.modifyColumn(to, column));
            }
        }
        return ddl;
    }
}
