package io.greenlight.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a Debezium embedded engine on its own thread (forward: the source's WAL; reverse: the new primary's binlog). When the engine stops on its own (an
 * error, a lost slot), {@code onFailure} is told why: capture never dies silently.
 */
public final class CaptureEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CaptureEngine.class);

    private final DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "greenlight-capture"));
    private volatile boolean closing;
    private volatile boolean running;

    /**
     * @param consumer what each batch is handed to: {@link ChangePublisher} forward (into Kafka), reverse
     *                 replication's feed into the batch unit in the other direction (io.greenlight.reverse)
     */
    public CaptureEngine(Properties properties, DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> consumer,
                         Consumer<Throwable> onFailure) {
        this.engine = DebeziumEngine.create(Connect.class)
                .using(properties)
                .notifying(consumer)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        running = true;
                    }

                    @Override
                    public void taskStopped() {
                        running = false;
                    }
                })
                .using((success, message, error) -> {
                    running = false;
                    if (!closing) {
                        Throwable cause = error != null ? error : new IllegalStateException(message);
                        LOG.errorf(cause, "Capture stopped: %s", message);
                        onFailure.accept(cause);
                    }
                })
                .build();
    }

    public void start() {
        executor.execute(engine);
    }

    public boolean isRunning() {
        return running;
    }

    @Override
    public void close() {
        closing = true;
        try {
            engine.close();
        } catch (IOException e) {
            LOG.warnf(e, "Closing the capture engine failed");
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
