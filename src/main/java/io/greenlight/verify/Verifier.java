package io.greenlight.verify;

import io.greenlight.schema.SourceTable;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.Collection;

/** Compares the target with the source; the cutover flow and POST /verify use the same code. */
public interface Verifier {

    VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables) throws SQLException;

    /** With explicit options, reporting progress as tables and rows are compared. */
    default VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables,
                                      VerifyOptions options, VerifyProgress progress) throws SQLException {
        return verify(source, target, tables);
    }

    /** As above, calling {@code onTable} with each table's verdict as soon as the table is done. */
    default VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables,
                                      VerifyOptions options, VerifyProgress progress,
                                      java.util.function.Consumer<TableVerdict> onTable) throws SQLException {
        VerificationResult result = verify(source, target, tables, options, progress);
        result.tables().forEach(onTable);
        return result;
    }

    /** As above; tables with a checkpoint in {@code checkpoints} continue after it, and report how far they got. */
    default VerificationResult verify(DataSource source, DataSource target, Collection<SourceTable> tables,
                                      VerifyOptions options, VerifyProgress progress,
                                      java.util.function.Consumer<TableVerdict> onTable, Checkpoints checkpoints)
            throws SQLException {
        return verify(source, target, tables, options, progress, onTable);
    }

    /** The mismatched rows of a whole verification whose tables were compared over several attempts. */
    default void mismatchedRows(long rows) {
    }
}
