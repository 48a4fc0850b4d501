package io.greenlight.apply;

/**
 * What apply has committed for one Kafka partition: the next offset to consume, the highest
 * source position applied from it (null until a streamed change was applied) and the source
 * commit time of the last change applied from it (Long.MIN_VALUE while unknown).
 */
public record PartitionPosition(long nextOffset, SourcePosition watermark, long sourceTsMs) {
}
