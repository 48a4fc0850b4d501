package io.greenlight.backfill;

import io.greenlight.schema.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Splits a table into ctid page ranges of about {@code chunkPages} pages, from the catalog's page count. */
final class ChunkPlanner {

    private final int chunkPages;

    ChunkPlanner(int chunkPages) {
        this.chunkPages = chunkPages;
    }

    /** The table's pages now and its estimated row count ({@code reltuples}, -1 when never analyzed). */
    record Size(long pages, long estimatedRows) {
    }

    Size size(Connection source, TableId table) throws SQLException {
        // pg_relation_size is exact now; relpages is only as fresh as the last VACUUM/ANALYZE.
        try (PreparedStatement ps = source.prepareStatement("SELECT pg_relation_size(c.oid) / current_setting('block_size')::int, "
                + "c.reltuples::bigint FROM pg_class c WHERE c.oid = ?::regclass")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Size(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    List<Chunk> plan(TableId table, long pages) {
        int count = (int) Math.max(1, (pages + chunkPages - 1) / chunkPages);
        List<Chunk> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chunks.add(new Chunk(table, i, (long) i * chunkPages, i == count - 1 ? -1 : (long) (i + 1) * chunkPages));
        }
        return chunks;
    }
}
