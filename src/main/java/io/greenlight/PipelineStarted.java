package io.greenlight;

/** CDI event: the pipeline is up (pools, tables, capture and apply started). */
public record PipelineStarted() {
}
