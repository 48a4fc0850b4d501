package io.greenlight.apply;

import io.greenlight.kafka.KafkaClients;
import io.greenlight.lag.PipelineMeters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator's opt-in alternative to pausing a table: the change the target cannot take is
 * copied, byte for byte with its key, to the dead-letter topic, with headers saying where it came
 * from and why, and the table goes on. Loud on purpose: logged as an error and counted.
 */
public final class DeadLetters implements DeadLetterSink, AutoCloseable {

    public static final String HEADER_TABLE = "greenlight.table";
    public static final String HEADER_LSN = "greenlight.lsn";
    public static final String HEADER_SOURCE = "greenlight.source";
    public static final String HEADER_ERROR = "greenlight.error";

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final KafkaClients kafka;
    private final PipelineMeters meters;
    private final KafkaProducer<byte[], byte[]> producer;

    public DeadLetters(String topic, KafkaClients kafka, PipelineMeters meters) {
        this.topic = topic;
        this.kafka = kafka;
        this.meters = meters;
        this.producer = kafka.producer("dead-letter");
    }

    public String topic() {
        return topic;
    }

    /** Returns once Kafka acknowledged the copy: only then may the change be left out of the target. */
    @Override
    public void send(Change change, String error) throws Exception {
        ConsumerRecord<byte[], byte[]> original = read(change);
        RecordHeaders headers = new RecordHeaders();
        original.headers().forEach(headers::add);
        headers.add(HEADER_TABLE, utf8(change.table().toString()));
        headers.add(HEADER_LSN, utf8(Change.formatLsn(change.lsn())));
        headers.add(HEADER_SOURCE, utf8(change.topic() + "-" + change.partition() + "@" + change.offset()));
        headers.add(HEADER_ERROR, utf8(error));
        producer.send(new ProducerRecord<>(topic, null, original.key(), original.value(), headers))
                .get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        meters.deadLettered(change.table().toString());
        LOG.errorf("DEAD-LETTERED a change the target cannot take; it is NOT applied, the table goes on "
                + "(greenlight.apply.dead-letter-topic=%s): %s", topic, error);
    }

    /** The change's own record, re-read from its partition so its bytes and headers are copied unchanged. */
    private ConsumerRecord<byte[], byte[]> read(Change change) {
        TopicPartition partition = new TopicPartition(change.topic(), change.partition());
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("dead-letter-read", 1)) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, change.offset());
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() == change.offset()) {
                        return record;
                    }
                }
            }
        }
        throw new IllegalStateException("Could not re-read " + change.coordinates() + " from Kafka within "
                + READ_TIMEOUT.toSeconds() + " s to copy it to the dead-letter topic " + topic);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
