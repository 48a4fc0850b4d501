package io.greenlight.verify;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a {@link RowStream} ahead on its own thread, in batches, at most two batches ahead: the
 * two sides are fetched and normalized while the chunks before are hashed and compared.
 */
final class Prefetch implements AutoCloseable {

    private static final List<Object[]> END = Collections.unmodifiableList(new ArrayList<>());

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
    private final Thread reader;
    private volatile boolean closed;
    private Iterator<Object[]> batch = Collections.emptyIterator();
    private boolean done;

    Prefetch(RowStream rows, int batchSize, String name) {
        reader = new Thread(() -> {
            try {
                while (!closed) {
                    List<Object[]> next = new ArrayList<>(batchSize);
                    for (Object[] row; next.size() < batchSize && (row = rows.next()) != null; ) {
                        next.add(row);
                    }
                    if (!next.isEmpty()) {
                        put(next);
                    }
                    if (next.size() < batchSize) {
                        put(END);
                        return;
                    }
                }
            } catch (Throwable e) {
                put(e);
            }
        }, name);
        reader.setDaemon(true);
        reader.start();
    }

    private void put(Object item) {
        try {
            while (!closed && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                // the consumer is busy comparing; wait
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next row, or null after the last. */
    @SuppressWarnings("unchecked")
    Object[] next() throws SQLException {
        while (!batch.hasNext()) {
            if (done) {
                return null;
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("Interrupted while reading rows", e);
            }
            if (item == END) {
                done = true;
                return null;
            }
            if (item instanceof Throwable failure) {
                done = true;
                throw failure instanceof SQLException sql ? sql : new SQLException(failure.getMessage(), failure);
            }
            batch = ((List<Object[]>) item).iterator();
        }
        return batch.next();
    }

    /** Stops the reader (after at most one more batch); the stream itself is closed by its owner. */
    @Override
    public void close() {
        closed = true;
        queue.clear();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
