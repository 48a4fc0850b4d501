package io.greenlight.apply;

/**
 * What apply has committed for one Kafka partition: the next offset to consume and the
 * highest source position applied from it (null until a streamed change was applied).
 */
public record PartitionPosition(long nextOffset, SourcePosition watermark) {
}
