package io.greenlight.backfill;

import io.greenlight.schema.TableId;

/**
 * One slice of a table's heap: pages [fromPage, toPage), the last chunk open-ended (toPage -1) so
 * that pages added after planning are read too. Chunks of one table never overlap.
 */
public record Chunk(TableId table, int index, long fromPage, long toPage) {

    /** The WHERE condition selecting this chunk's rows by ctid (a TID range scan). */
    public String ctidCondition() {
        String from = "ctid >= '(" + fromPage + ",0)'::tid";
        return toPage < 0 ? from : from + " AND ctid < '(" + toPage + ",0)'::tid";
    }
}
