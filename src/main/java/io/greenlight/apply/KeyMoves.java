package io.greenlight.apply;

import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Puts back together an update that changed a row's primary key and left a TOAST value unchanged.
 * Debezium emits such an update as a delete of the old key and a create of the new one, both at
 * the update's LSN; the create carries the unchanged-TOAST placeholder instead of the value, which
 * only the old row on the target holds. Found in one batch, the two become one update of the old
 * row ({@code UPDATE … SET key = new, changed columns … WHERE key = old}) that keeps that value.
 *
 * <p>The two are paired when they are in the batch being written (in either order: with
 * {@code greenlight.kafka.partitions} > 1 the old and the new key may be on different partitions,
 * other changes between them). The update is written at the delete's place when no change of the
 * new key lies between the two, else at the create's place when no change of the old key does, so
 * no change of either key changes order with it; otherwise, and when the delete is not in the batch,
 * the create is left unpaired and stops its table (see BatchWriter).
 */
final class KeyMoves {

    private KeyMoves() {
    }

    /** The changes with each pairable delete + create replaced by one key-moving update, at the delete's place. */
    static List<Change> pair(List<Change> changes, Map<TableId, SourceTable> tables) {
        Change[] out = null;
        for (int i = 0; i < changes.size(); i++) {
            Change create = changes.get(i);
            SourceTable table = tables.get(create.table());
            if (!isMovedRow(create, table)) {
                continue;
            }
            if (out == null) {
                out = changes.toArray(Change[]::new);
            }
            int delete = partner(changes, out, i);
            if (delete < 0) {
                continue;
            }
            Change old = changes.get(delete);
            // Written where nothing between the two halves changes the key it skips over.
            int at = clear(changes, delete, i, table, create.after()) ? delete
                    : clear(changes, delete, i, table, old.before()) ? i : -1;
            if (at >= 0) {
                out[delete] = null;
                out[i] = null;
                out[at] = new Change(create.table(), ChangeOp.UPDATE, old.before(), create.after(), create.lsn(),
                        create.position(), create.sourceTsMs(), create.topic(), create.partition(), create.offset(),
                        create.txId(), null);
            }
        }
        if (out == null) {
            return changes;
        }
        List<Change> paired = new ArrayList<>(out.length);
        for (Change change : out) {
            if (change != null) {
                paired.add(change);
            }
        }
        return paired;
    }

    /** True for the update written as a key move: its before image holds another primary key than its after image. */
    static boolean isKeyMove(Change change, SourceTable table) {
        return table != null && change.op() == ChangeOp.UPDATE && table.hasPrimaryKey() && change.before() != null
                && change.after() != null && !sameKey(table, change.before(), change.after());
    }

    /** A create carrying an unchanged-TOAST placeholder: only the new-key half of a key change does. */
    static boolean isMovedRow(Change change, SourceTable table) {
        return change.op() == ChangeOp.CREATE && table != null && table.hasPrimaryKey() && change.after() != null
                && !ToastFilter.unchanged(change.after()).isEmpty();
    }

    /** True when {@code delete} and {@code create} are the two halves of one key change that {@link #pair} joins. */
    static boolean isPair(Change delete, Change create, SourceTable table) {
        return isMovedRow(create, table) && isHalfOf(delete, create);
    }

    private static boolean isHalfOf(Change delete, Change moved) {
        return delete.op() == ChangeOp.DELETE && delete.table().equals(moved.table()) && delete.before() != null
                && moved.lsn() != null && moved.lsn().equals(delete.lsn()) && Objects.equals(moved.txId(), delete.txId());
    }

    /** The index of the delete of the same update (same table, LSN and transaction, not yet paired), or -1. */
    private static int partner(List<Change> changes, Change[] out, int create) {
        Change moved = changes.get(create);
        for (int j = 0; j < changes.size(); j++) {
            Change other = changes.get(j);
            if (out[j] == other && isHalfOf(other, moved)) {
                return j;
            }
        }
        return -1;
    }

    /** No change of the table strictly between {@code a} and {@code b} is a truncate, a DDL or one of {@code row}'s key. */
    private static boolean clear(List<Change> changes, int a, int b, SourceTable table, Struct row) {
        for (int k = Math.min(a, b) + 1; k < Math.max(a, b); k++) {
            Change change = changes.get(k);
            if (change.table().equals(table.id()) && touches(change, table, row)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the change is a truncate or DDL of the table, or a change of the row with {@code row}'s key. */
    private static boolean touches(Change change, SourceTable table, Struct row) {
        if (change.isDdl() || change.op() == ChangeOp.TRUNCATE) {
            return true;
        }
        Struct image = change.after() != null ? change.after() : change.before();
        return image == null || sameKey(table, image, row);
    }

    static boolean sameKey(SourceTable table, Struct a, Struct b) {
        for (String column : table.primaryKey()) {
            Field fa = a.schema().field(column);
            Field fb = b.schema().field(column);
            if (fa == null || fb == null || !Objects.deepEquals(a.get(fa), b.get(fb))) {
                return false;
            }
        }
        return true;
    }
}
