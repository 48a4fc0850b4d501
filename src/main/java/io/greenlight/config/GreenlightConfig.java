package io.greenlight.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every {@code greenlight.*} key, in one typed tree. Values that must be present are
 * {@link Optional} here so that {@link ConfigValidator} can say, in our own words, which key is
 * missing and how to set it, instead of a generic SmallRye message.
 */
@ConfigMapping(prefix = "greenlight")
public interface GreenlightConfig {

    /** What this process runs (docs/scale-out.md#control-plane). */
    enum Mode {
        /** Capture, Kafka and apply in this process (the default). */
        PIPELINE,
        /**
         * No capture and no apply of its own: they run in Kafka Connect (the Debezium source and
         * Greenlight's sink). Lag, /status, verify and the cutover watch that pipeline through the
         * heartbeats, Connect's committed source offsets and the target's greenlight_offsets.
         */
        CONTROL_PLANE
    }

    @WithDefault("pipeline")
    Mode mode();

    /** The Kafka Connect cluster a control plane watches (greenlight.mode=control-plane). */
    Connect connect();

    interface Connect {
        /** The Connect workers' offset.storage.topic: where the source connector's committed positions are. */
        @WithDefault("connect-offsets")
        String offsetsTopic();

        /** The name of the Debezium PostgreSQL source connector (its key in the offsets topic). */
        @WithDefault("greenlight-postgres-source")
        String sourceConnector();
    }

    Source source();

    Target target();

    Kafka kafka();

    Capture capture();

    /** Local working directory: embedded broker logs and other node-local state. */
    @WithDefault("greenlight-data")
    String dataDir();

    Heartbeat heartbeat();

    Apply apply();

    Cutover cutover();

    Api api();

    Types types();

    Verify verify();

    Backfill backfill();

    Leader leader();

    Schema schema();

    interface Source {
        /** jdbc:postgresql://HOST:PORT/DB */
        Optional<String> url();

        Optional<String> username();

        Optional<String> password();

        /** schema.table names; unset means every ordinary table of schema public. */
        Optional<List<String>> tables();

        @WithDefault("greenlight")
        String slot();

        @WithDefault("greenlight")
        String publication();

        /**
         * How the rows that exist at the first start reach the target: backfill (default: Greenlight
         * copies them in parallel chunks at the slot's exported snapshot), initial (Debezium's event
         * snapshot through Kafka) or no_data (none: only changes from the slot on).
         */
        @WithDefault("backfill")
        String snapshotMode();

        /**
         * Start capture even though the slot is gone or starts after the position Greenlight
         * replicated up to (changes in between are lost). Off: capture refuses (SlotGuard).
         */
        @WithDefault("false")
        boolean acceptSlotGap();
    }

    interface Target {
        /** jdbc:mysql://HOST:PORT/DB, jdbc:mariadb://... or jdbc:postgresql://... */
        Optional<String> url();

        Optional<String> username();

        Optional<String> password();

        @WithDefault("8")
        int poolSize();
    }

    interface Kafka {
        /** Unset: Greenlight runs an embedded single-node KRaft broker under data-dir. */
        Optional<String> bootstrapServers();

        @WithDefault("greenlight")
        String topicPrefix();

        @WithDefault("1")
        int partitions();

        @WithDefault("1")
        short replicationFactor();

        /**
         * Retention of change topics on an external cluster; -1 keeps them forever. The embedded
         * broker keeps changes until they are applied, then deletes them.
         */
        @WithDefault("7D")
        Duration retention();
    }

    interface Capture {
        /**
         * A Java properties file of Debezium PostgreSQL connector settings (see
         * connectors/debezium-postgres.properties) that override Greenlight's built-in ones.
         * Settings Greenlight derives from its own keys, and secrets, are refused.
         */
        Optional<String> connectorConfig();
    }

    interface Heartbeat {
        @WithDefault("1S")
        Duration interval();
    }

    interface Apply {
        /** Most change events written in one target transaction. */
        @WithDefault("2000")
        int batchSize();

        /** Longest time a partial batch waits for more events before it is written. */
        @WithDefault("100MS")
        Duration batchMaxWait();

        /**
         * What a change the target cannot take does: pause-table (stop that table's partitions at
         * the change, keep the others applying) or stop-pipeline.
         */
        @WithDefault("pause-table")
        String onError();

        /**
         * Kafka topic that receives such changes instead (key, value and headers naming the table,
         * coordinates and error), after which the table goes on. Unset: off.
         */
        Optional<String> deadLetterTopic();
    }

    interface Cutover {
        @WithDefault("2")
        double maxLagSeconds();
    }

    /** Row-by-row verification (POST /verify, and the cutover when asked to verify). */
    interface Verify {
        /** Rows per chunk: each chunk is hashed on both sides, differing chunks are compared row by row. */
        @WithDefault("10000")
        int chunkSize();

        /** Tables compared at the same time (each holds one source and one target connection). */
        @WithDefault("2")
        int parallelism();

        /**
         * Key ranges of one table compared at the same time where the ranges are hashed in the
         * databases (each holds one source and one target connection).
         */
        @WithDefault("2")
        int rangeParallelism();

        /** Mismatched rows listed per kind (missing, extra, differing) and table. */
        @WithDefault("20")
        int sampleSize();

        /** Mismatched rows per table re-read after the target caught up (more are reported unchecked). */
        @WithDefault("10000")
        int recheckLimit();

        /** How long a re-check waits for the target to apply what the source had committed. */
        @WithDefault("60S")
        Duration catchUpTimeout();

        /**
         * How long a verification started with POST /verify may run before it stops (TIMED_OUT, its
         * finished tables kept, continued with {"resume": id}); unset: no bound. maxDurationSeconds
         * in the request overrides it.
         */
        Optional<Duration> maxDuration();
    }

    interface Api {
        Optional<String> token();
    }

    interface Types {
        /**
         * Lossy type mappings the operator accepts: columns as schema.table.column, or PostgreSQL
         * type names (timetz). Unset: every lossy mapping refuses start-up.
         */
        Optional<List<String>> lossyAccept();
    }

    /** The initial load of snapshot-mode backfill. */
    interface Backfill {
        /** Chunks copied at the same time (each holds one source and one target connection). */
        @WithDefault("2")
        int parallelism();

        /** Heap pages (8 KiB each) of a table read as one chunk; a chunk is one target transaction. */
        @WithDefault("2000")
        int chunkPages();

        /** Rows sent to the target in one multi-row statement. */
        @WithDefault("1000")
        int batchRows();

        /** Rows per second the copy reads from the source at most, over all its chunks; 0: no cap. */
        @WithDefault("0")
        long maxRowsPerSecond();

        /** Backing off while the source is under strain (docs/backfill.md, throttling). */
        Throttle throttle();

        interface Throttle {

            enum Mode {
                /** Only max-rows-per-second paces the copy. */
                OFF,
                /** The copy also waits while the source's commit latency or a replica's replay lag is above its threshold. */
                ADAPTIVE
            }

            @WithDefault("adaptive")
            Mode mode();

            /** The copy waits while a standby of the source replays this far behind (pg_stat_replication.replay_lag). */
            @WithDefault("10S")
            Duration maxReplicaLag();

            /** The copy waits while committing a transaction on the source takes longer than this. */
            @WithDefault("250MS")
            Duration maxCommitLatency();

            /** How often the source's commit latency and replica lag are measured while the copy runs. */
            @WithDefault("1S")
            Duration checkInterval();
        }
    }

    /** One active instance: leader election with a fencing token (docs/deploy.md, high availability). */
    interface Leader {

        enum Election {
            /** kubernetes inside a pod (KUBERNETES_SERVICE_HOST set), database elsewhere. */
            AUTO,
            /** A coordination.k8s.io Lease (fabric8 LeaderElector); the source's lease row carries the epoch. */
            KUBERNETES,
            /** The lease row on the source (greenlight.greenlight_leader: holder, epoch, expiry). */
            DATABASE
        }

        @WithDefault("auto")
        Election election();

        /** How long a lease lasts without renewal: a standby takes over this long after the leader died. */
        @WithDefault("15S")
        Duration leaseDuration();

        /** Name of the Kubernetes Lease (namespace: the pod's). */
        @WithDefault("greenlight")
        String leaseName();

        /**
         * This instance's name in the lease, /status and greenlight_leader{instance}. Unset: the pod
         * name in Kubernetes; with the embedded broker an id kept in data-dir; else host and a random suffix.
         */
        Optional<String> identity();
    }

    /** Schema changes on the source during the migration (docs/schema-evolution.md). */
    interface Schema {

        /** What the target does with a column the source dropped. */
        enum DroppedColumns {
            /** Dropped on the target too, at the DDL's place in the stream: the target mirrors the source. */
            DROP,
            /** Kept on the target with its values, made nullable; verify and the cutover ignore it. */
            KEEP
        }

        @WithDefault("drop")
        DroppedColumns droppedColumns();

        /** How the source's DDL reaches the target. */
        enum DdlCapture {
            /** Event triggers write each DDL statement into the WAL, in order with the data (needs a superuser once). */
            TRIGGERS,
            /**
             * No triggers: schema changes are inferred from the columns of the next change of a table. Renames look
             * like a drop and an add, indexes and dropped tables are not followed: warned in /status and at start.
             */
            OFF
        }

        @WithDefault("triggers")
        DdlCapture ddlCapture();
    }
}
