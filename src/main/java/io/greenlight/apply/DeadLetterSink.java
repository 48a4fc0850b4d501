package io.greenlight.apply;

/**
 * Where a change the target cannot take goes instead of the target, when the operator opted in:
 * Greenlight's dead-letter topic ({@link DeadLetters}) or, in a Kafka Connect sink task, the
 * worker's dead letter queue. Returns only once the copy is durable.
 */
public interface DeadLetterSink {

    void send(Change change, String error) throws Exception;
}
