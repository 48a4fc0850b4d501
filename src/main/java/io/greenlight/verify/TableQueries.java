package io.greenlight.verify;

import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.schema.SourceColumn;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL a comparison runs on each side, and how a row is read into canonical values. Rows are
 * ordered by primary key the same way on both engines: text keys in code point order
 * (PostgreSQL {@code COLLATE "C"}, the target's binary NO PAD collation), everything else natively.
 */
final class TableQueries {

    final SourceTable table;
    /** Compared columns: generated columns are not replicated, so they are left out. */
    final List<SourceColumn> columns;
    final ValueKind[] kinds;
    /** Positions of the primary key columns within {@link #columns}. */
    final int[] key;
    private final Dialect target;
    /** A PostgreSQL target holds the source's own types: it is read and ordered exactly like the source. */
    final boolean sameEngine;

    TableQueries(SourceTable table, Dialect target) {
        this.table = table;
        this.target = target;
        this.sameEngine = target instanceof PostgresDialect;
        List<SourceColumn> compared = new ArrayList<>(table.columns().stream().filter(c -> !c.generated()).toList());
        this.columns = List.copyOf(compared);
        this.kinds = columns.stream().map(ValueKind::of).toArray(ValueKind[]::new);
        this.key = table.primaryKey().stream().mapToInt(k -> indexOf(compared, k)).toArray();
    }

    private static int indexOf(List<SourceColumn> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("Primary key column " + name + " is not a compared column");
    }

    boolean keyed() {
        return key.length > 0;
    }

    String sourceTable() {
        return table.id().quoted();
    }

    String targetTable() {
        return target.tableName(table);
    }

    /** How the target quotes an identifier. */
    java.util.function.Function<String, String> targetQuote() {
        return target::quote;
    }

    String sourceCount() {
        return "SELECT count(*) FROM " + sourceTable();
    }

    String targetCount() {
        return "SELECT count(*) FROM " + targetTable();
    }

    String sourceScan() {
        String order = keyed() ? " ORDER BY " + keyColumns(i -> kinds[i].sortsAsText()
                ? TableId.quoteIdentifier(columns.get(i).name()) + "::text COLLATE \"C\"" : TableId.quoteIdentifier(columns.get(i).name())) : "";
        return "SELECT " + list(TableId::quoteIdentifier) + " FROM " + sourceTable() + order;
    }

    String targetScan() {
        if (sameEngine) {
            return sourceScan().replace(" FROM " + sourceTable(), " FROM " + targetTable());
        }
        String order = keyed() ? " ORDER BY " + keyColumns(i -> target.quote(columns.get(i).name())) : "";
        return "SELECT " + list(target::quote) + " FROM " + targetTable() + order;
    }

    /** One row by key; each parameter is the key value as text, cast to the column's type. */
    String sourceByKey() {
        return "SELECT " + list(TableId::quoteIdentifier) + " FROM " + sourceTable() + " WHERE "
                + keyPredicate(i -> TableId.quoteIdentifier(columns.get(i).name()) + " = CAST(? AS " + columns.get(i).formatted() + ")");
    }

    String targetByKey() {
        if (sameEngine) {
            return sourceByKey().replace(" FROM " + sourceTable() + " WHERE ", " FROM " + targetTable() + " WHERE ");
        }
        return "SELECT " + list(target::quote) + " FROM " + targetTable() + " WHERE "
                + keyPredicate(i -> target.quote(columns.get(i).name()) + " = ?");
    }

    Object[] read(ResultSet rs, boolean targetSide) throws SQLException {
        Object[] row = new Object[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            row[i] = targetSide && !sameEngine ? kinds[i].readTarget(rs, i + 1) : kinds[i].readSource(rs, i + 1);
        }
        return row;
    }

    Object[] keyOf(Object[] row) {
        Object[] k = new Object[key.length];
        for (int i = 0; i < key.length; i++) {
            k[i] = row[key[i]];
        }
        return k;
    }

    int compareKeys(Object[] a, Object[] b) {
        for (int i = 0; i < key.length; i++) {
            int c = kinds[key[i]].compare(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** {@code id=42} or {@code (a=1, b=x)}: how a key is shown in reports and logs. */
    String showKey(Object[] k) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < key.length; i++) {
            parts.add(columns.get(key[i]).name() + "=" + kinds[key[i]].sourceParameter(k[i]));
        }
        return parts.size() == 1 ? parts.get(0) : "(" + String.join(", ", parts) + ")";
    }

    /** Names of the columns whose canonical values differ. */
    List<String> differingColumns(Object[] source, Object[] target) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < source.length; i++) {
            if (!java.util.Objects.equals(source[i], target[i])) {
                names.add(columns.get(i).name());
            }
        }
        return names;
    }

    /** A canonical row as text: the unit of hashing and of keyless multiset comparison. */
    static String rowText(Object[] row) {
        StringBuilder out = new StringBuilder();
        for (Object v : row) {
            if (v == null) {
                out.append("\u0000N");
            } else {
                String text = Canonical.text(v);
                out.append(text.length()).append(':').append(text);
            }
            out.append('|');
        }
        return out.toString();
    }

    private String list(java.util.function.Function<String, String> quote) {
        return columns.stream().map(c -> quote.apply(c.name())).collect(Collectors.joining(", "));
    }

    private String keyColumns(java.util.function.IntFunction<String> expr) {
        return java.util.Arrays.stream(key).mapToObj(expr).collect(Collectors.joining(", "));
    }

    private String keyPredicate(java.util.function.IntFunction<String> expr) {
        return java.util.Arrays.stream(key).mapToObj(expr).collect(Collectors.joining(" AND "));
    }
}
