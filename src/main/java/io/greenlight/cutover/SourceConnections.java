package io.greenlight.cutover;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a writable session on the source (a READ_ONLY fence's default turned off for it). */
@FunctionalInterface
interface SourceConnections {
    Connection open() throws SQLException;
}
