package io.greenlight.kafka;

import io.greenlight.schema.TableId;

/** The names of Greenlight's topics; one place so capture, apply and ops tooling agree. */
public final class TopicNames {

    private final String prefix;

    public TopicNames(String prefix) {
        this.prefix = prefix;
    }

    /** {@code <prefix>.<schema>.<table>}, the name Debezium routes a table's changes to. */
    public String table(TableId table) {
        return prefix + "." + table.schema() + "." + table.table();
    }

    /** Compacted topic holding the source connector's offsets (so the pod keeps no state). */
    public String sourceOffsets() {
        return prefix + ".__source-offsets";
    }

    public String prefix() {
        return prefix;
    }
}
