package io.greenlight.apply;

/**
 * What apply has committed for one Kafka partition: the next offset to consume, the highest
 * source position applied from it (null until a streamed change was applied) and the source
 * commit time of the last change applied from it (Long.MIN_VALUE while unknown).
 */
public record PartitionPosition(long nextOffset, SourcePosition watermark, long sourceTsMs) {

    /** The position once {@code change} is applied on top of {@code before} (null: nothing yet). */
    static PartitionPosition after(PartitionPosition before, Change change) {
        SourcePosition watermark = before != null ? before.watermark() : null;
        if (change.position() != null && (watermark == null || change.position().compareTo(watermark) > 0)) {
            watermark = change.position();
        }
        long ts = Math.max(before != null ? before.sourceTsMs() : Long.MIN_VALUE, change.sourceTsMs());
        return new PartitionPosition(change.offset() + 1, watermark, ts);
    }
}
