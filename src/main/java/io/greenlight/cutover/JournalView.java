package io.greenlight.cutover;

import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The cutover as a standby shows it: a standby runs none, so it reads the latest record the leader
 * persisted in the source's journal (every transition lands there first), at most once per
 * {@code every} because clients poll /status. When the source cannot be read it keeps the last record read.
 */
final class JournalView {

    /** Opens an autocommit connection to the source. */
    @FunctionalInterface
    interface Source {
        Connection open() throws SQLException;
    }

    private static final Logger LOG = Logger.getLogger(JournalView.class);

    private final SourceJournal journal;
    private final Source source;
    private final long everyNanos;
    private Optional<CutoverRecord> latest = Optional.empty();
    private long readAt;
    private boolean read;
    private boolean warned;

    JournalView(SourceJournal journal, Source source, Duration every) {
        this.journal = journal;
        this.source = source;
        this.everyNanos = every.toNanos();
    }

    synchronized Optional<CutoverRecord> latest() {
        if (read && System.nanoTime() - readAt < everyNanos) {
            return latest;
        }
        try (Connection c = source.open()) {
            List<CutoverRecord> all = journal.load(c);
            latest = all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
            warned = false;
        } catch (SQLException | RuntimeException e) {
            if (!warned) {
                LOG.warnf("This standby cannot read the cutover journal on the source (%s); it shows the last record it read",
                        e.getMessage());
                warned = true;
            }
        }
        readAt = System.nanoTime();
        read = true;
        return latest;
    }
}
