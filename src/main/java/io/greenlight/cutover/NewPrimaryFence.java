package io.greenlight.cutover;

import io.greenlight.reverse.PrimaryFence;
import io.greenlight.schema.TableId;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * Rollback's fence of the new primary, per engine: a PostgreSQL target gets the very fence the
 * forward cutover puts on the source ({@link SourceFence}, the cutover's mode and roles); a
 * MySQL/MariaDB target {@code read_only} plus ending the application's sessions ({@link PrimaryFence}).
 * In both, only the sessions of the cutover's {@code fence.roles} are ended when it names any.
 */
abstract class NewPrimaryFence {

    /** The statements that lift it, persisted before it goes up. */
    abstract List<String> plan() throws SQLException;

    /** Raises it and ends the sessions that could still write; returns how many. */
    abstract int apply() throws SQLException;

    /** Ended sessions that have not exited yet. */
    abstract int stillConnected() throws SQLException;

    /** Every way a fenced role could still write (empty: the fence holds). */
    abstract List<String> leaks() throws SQLException;

    static NewPrimaryFence of(Connection target, boolean postgres, CutoverOptions.Fence fence, Collection<TableId> tables,
                              String greenlightUser) {
        return postgres ? new Postgres(target, fence, tables) : new Binlog(target, fence.roles(), greenlightUser);
    }

    private static final class Postgres extends NewPrimaryFence {
        private final SourceFence fence;
        private final CutoverOptions.Fence options;
        private final Collection<TableId> tables;
        private List<Integer> ended = List.of();

        Postgres(Connection target, CutoverOptions.Fence options, Collection<TableId> tables) {
            this.fence = new SourceFence(target);
            // The application was stopped by hand at the switch (NONE): the new primary gets the default fence.
            this.options = options.mode() == CutoverOptions.FenceMode.NONE
                    ? new CutoverOptions.Fence(CutoverOptions.FenceMode.READ_ONLY, options.roles(), false) : options;
            this.tables = tables;
        }

        @Override
        List<String> plan() throws SQLException {
            return fence.plan(options, tables);
        }

        @Override
        int apply() throws SQLException {
            ended = fence.apply(options, tables);
            return ended.size();
        }

        @Override
        int stillConnected() throws SQLException {
            return fence.stillRunning(ended);
        }

        @Override
        List<String> leaks() throws SQLException {
            return fence.leaks(options, tables);
        }
    }

    private static final class Binlog extends NewPrimaryFence {
        private final PrimaryFence fence;
        private final List<String> roles;
        private final String greenlightUser;

        Binlog(Connection target, List<String> roles, String greenlightUser) {
            this.fence = new PrimaryFence(target);
            this.roles = roles;
            this.greenlightUser = greenlightUser;
        }

        @Override
        List<String> plan() throws SQLException {
            return fence.plan();
        }

        @Override
        int apply() throws SQLException {
            return fence.apply(greenlightUser, roles);
        }

        @Override
        int stillConnected() throws SQLException {
            return fence.stillConnected(greenlightUser, roles);
        }

        @Override
        List<String> leaks() {
            return List.of();
        }
    }
}
