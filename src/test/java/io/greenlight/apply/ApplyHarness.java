package io.greenlight.apply;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.exceptionsorter.MySQLExceptionSorter;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.greenlight.DataSources;
import io.greenlight.dialect.Dialect;
import io.greenlight.dialect.MySqlDialect;
import io.greenlight.dialect.PostgresDialect;
import io.greenlight.kafka.KafkaClients;
import io.greenlight.kafka.TopicAdmin;
import io.greenlight.lag.LagTracker;
import io.greenlight.lag.PipelineMeters;
import io.greenlight.schema.ChangeOp;
import io.greenlight.schema.SourceCatalog;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import io.greenlight.testing.TargetEngine;
import io.greenlight.testing.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real apply loop without the rest of Greenlight: change events published to a topic of the
 * shared test Kafka broker, consumed by {@link ApplyLoop} and written to a real target database,
 * with schema evolution reading a real source catalog. Tests publish exactly the events (and
 * batches) a scenario needs.
 */
final class ApplyHarness implements AutoCloseable {

    private static final JsonConverter JSON = new JsonConverter();
    private static final Schema SOURCE = SchemaBuilder.struct().field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA).build();

    static {
        JSON.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true"), false);
    }

    final TargetEngine engine;
    final Dialect dialect;
    final String database;
    final AgroalDataSource target;
    final AgroalDataSource source;
    final TablePauses pauses;
    final LagTracker lag = new LagTracker();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Every change apply has read (it consults the backfill filter with each). */
    final List<Change> read = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final KafkaClients kafka;
    private final KafkaProducer<byte[], byte[]> producer;
    private final int partitionCount;
    private final PipelineMeters meters;
    private Map<TableId, SourceTable> tables = Map.of();
    private ApplyLoop loop;
    private Thread thread;
    private long lsn = 1000;
    /** What the next {@link #build}'s schema evolution does with a column the source dropped. */
    io.greenlight.config.GreenlightConfig.Schema.DroppedColumns droppedColumns =
            io.greenlight.config.GreenlightConfig.Schema.DroppedColumns.DROP;
    /** Whether the next {@link #build} follows DDL published in the stream ({@link #publishDdl}) as the pipeline does. */
    boolean ddlInStream;
    /** Client properties the next {@link #build}'s apply consumer gets over the defaults (none by default). */
    Map<String, String> consumerProperties = Map.of();
    /** The fencing token the next {@link #build} checks in every transaction (none by default). */
    io.greenlight.leader.Fence fence = io.greenlight.leader.Fence.NONE;

    /**
     * Fresh source and target databases named {@code database}; the source gets {@code sourceDdl}
     * (the tables' definitions, read back through the source catalog as capture would).
     */
    ApplyHarness(TargetEngine engine, String database, int partitions, String... sourceDdl) throws Exception {
        this(TestServers.get().kafkaBootstrap, engine, database, partitions, sourceDdl);
    }

    /** The same with another Kafka cluster (e.g. a container). */
    ApplyHarness(String kafkaBootstrap, TargetEngine engine, String database, int partitions, String... sourceDdl)
            throws Exception {
        this.engine = engine;
        this.database = database + "_" + engine.name().toLowerCase();
        this.dialect = engine == TargetEngine.POSTGRES ? new PostgresDialect() : new MySqlDialect();
        this.partitionCount = partitions;
        TestServers servers = TestServers.get();
        servers.postgres.createDatabase(this.database);
        engine.createDatabase(this.database);
        try (Connection c = servers.postgres.connect(this.database); Statement st = c.createStatement()) {
            for (String sql : sourceDdl) {
                st.execute(sql);
            }
        }
        source = DataSources.pool(servers.postgres.jdbcUrl(this.database), "postgres", Optional.empty(), 4,
                org.postgresql.Driver.class, new PostgreSQLExceptionSorter());
        target = engine == TargetEngine.POSTGRES
                ? DataSources.pool(engine.jdbcUrl(this.database), engine.username(), Optional.empty(), 4,
                org.postgresql.Driver.class, new PostgreSQLExceptionSorter())
                : DataSources.pool(Dialect.connectionUrl(engine.jdbcUrl(this.database)), engine.username(), Optional.empty(), 4,
                com.mysql.cj.jdbc.Driver.class, new MySQLExceptionSorter());
        meters = new PipelineMeters(new SimpleMeterRegistry(), lag);
        pauses = new TablePauses(meters);
        kafka = new KafkaClients(kafkaBootstrap, "harness-" + this.database);
        producer = kafka.producer("test");
    }

    /** The change topic of a table, as capture names them: one per table. */
    String topic(String table) {
        return database + ".public." + table;
    }

    /**
     * The tables as the source catalog describes them now; created on the target, with their topics.
     * Apply is assigned their partitions in this order, which is the order a first fetch returns them in.
     */
    Map<TableId, SourceTable> readTables(String... names) throws Exception {
        Map<TableId, SourceTable> read = new java.util.LinkedHashMap<>();
        try (Connection c = source.getConnection(); Connection t = target.getConnection(); Statement st = t.createStatement()) {
            SourceCatalog catalog = new SourceCatalog(c);
            for (String name : names) {
                SourceTable table = catalog.table(new TableId("public", name)).orElseThrow();
                read.put(table.id(), table);
                st.execute(dialect.createTable(table));
            }
        }
        tables = read;
        List<String> topics = java.util.Arrays.stream(names).map(this::topic).toList();
        try (TopicAdmin admin = new TopicAdmin(kafka.admin())) {
            admin.ensureChangeTopics(topics, partitionCount, (short) 1, Duration.ofDays(1));
            admin.partitionsOf(topics);
        }
        return read;
    }

    Connection target() throws Exception {
        return engine.connect(database);
    }

    Connection source() throws Exception {
        return TestServers.get().postgres.connect(database);
    }

    /** A row of the given fields (name, Connect schema) and values. */
    static Struct row(Schema schema, Object... values) {
        Struct row = new Struct(schema);
        for (int i = 0; i < values.length; i++) {
            row.put(schema.fields().get(i), values[i]);
        }
        return row;
    }

    /** Publishes one truncate of {@code table} to each of the partitions, all at one source position. */
    void publishTruncate(List<Integer> partitions, String table) throws Exception {
        lsn += 16;
        for (int partition : partitions) {
            send(partition, table, ChangeOp.TRUNCATE, null, null);
        }
    }

    /**
     * Runs {@code statement} on the source and publishes what the source's DDL trigger writes for it
     * (tag, statement, the table's definition right after it) to each of the partitions, as capture
     * does: one copy per partition, after that partition's earlier changes.
     */
    void publishDdl(List<Integer> partitions, String table, String tag, String statement) throws Exception {
        publishMessage(partitions, table, ddl(table, tag, statement));
    }

    /** Runs {@code statement} on the source; the message the source's DDL trigger writes for it (see {@link #publishDdl}). */
    byte[] ddl(String table, String tag, String statement) throws Exception {
        String content;
        try (Connection c = source(); Statement st = c.createStatement()) {
            st.execute(statement);
            try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT json_build_object('tag', ?, 'objectType', 'table',"
                    + " 'identity', 'public.' || ?, 'statement', ?, 'schema', 'public', 'table', ?::text, 'definition', "
                    + io.greenlight.schema.TableDefinition.json("('public." + table + "'::regclass::oid)") + ")::text")) {
                ps.setString(1, tag);
                ps.setString(2, table);
                ps.setString(3, statement);
                ps.setString(4, table);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    content = rs.getString(1);
                }
            }
        }
        lsn += 16;
        Schema message = SchemaBuilder.struct().field("prefix", Schema.STRING_SCHEMA).field("content", Schema.BYTES_SCHEMA).build();
        Schema envelope = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).field("source", SOURCE)
                .field("message", message).build();
        Struct value = new Struct(envelope).put("op", "m").put("source", new Struct(SOURCE).put("schema", "").put("table", "")
                .put("lsn", lsn).put("ts_ms", System.currentTimeMillis()).put("txId", lsn))
                .put("message", new Struct(message).put("prefix", io.greenlight.schema.DdlEvent.PREFIX)
                        .put("content", content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return JSON.fromConnectData(topic(table), envelope, value);
    }

    /** Publishes a message {@link #ddl} made to each of the partitions. */
    void publishMessage(List<Integer> partitions, String table, byte[] bytes) throws Exception {
        for (int partition : partitions) {
            producer.send(new ProducerRecord<>(topic(table), partition, null, bytes)).get();
        }
    }

    /** Publishes one change of {@code table} to the partition {@code partition}, at the next source position (returned). */
    long publish(int partition, String table, ChangeOp op, Struct before, Struct after) throws Exception {
        lsn += 16;
        send(partition, table, op, before, after);
        return lsn;
    }

    /**
     * Publishes one change at a source position already used ({@link #publish} returned it): the other
     * half of an update Debezium emits as two events at one LSN (a primary key change).
     */
    void publishAt(long at, int partition, String table, ChangeOp op, Struct before, Struct after) throws Exception {
        long next = lsn;
        lsn = at;
        try {
            send(partition, table, op, before, after);
        } finally {
            lsn = next;
        }
    }

    private void send(int partition, String table, ChangeOp op, Struct before, Struct after) throws Exception {
        Schema image = after != null ? after.schema() : before != null ? before.schema() : SchemaBuilder.struct().optional().build();
        Schema optionalImage = optional(image);
        Schema envelope = SchemaBuilder.struct().field("before", optionalImage).field("after", optionalImage)
                .field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();
        String code = switch (op) {
            case CREATE -> "c";
            case UPDATE -> "u";
            case DELETE -> "d";
            case READ -> "r";
            case TRUNCATE -> "t";
            default -> throw new IllegalArgumentException(op.toString());
        };
        Struct value = new Struct(envelope).put("op", code).put("source", new Struct(SOURCE).put("schema", "public")
                .put("table", table).put("lsn", lsn).put("sequence", "[\"" + (lsn - 8) + "\",\"" + lsn + "\"]")
                .put("ts_ms", System.currentTimeMillis()).put("txId", lsn));
        if (before != null) {
            value.put("before", copy(before, optionalImage));
        }
        if (after != null) {
            value.put("after", copy(after, optionalImage));
        }
        byte[] bytes = JSON.fromConnectData(topic(table), envelope, value);
        producer.send(new ProducerRecord<>(topic(table), partition, null, bytes)).get();
    }

    private static Schema optional(Schema image) {
        SchemaBuilder builder = SchemaBuilder.struct().optional();
        image.fields().forEach(f -> builder.field(f.name(), f.schema()));
        return builder.build();
    }

    private static Struct copy(Struct row, Schema schema) {
        Struct copy = new Struct(schema);
        schema.fields().forEach(f -> copy.put(f, row.get(f.name())));
        return copy;
    }

    /** Starts apply; every event already published is read in the first batches. */
    void start(int batchSize, Duration batchMaxWait) throws Exception {
        build(batchSize, batchMaxWait);
        thread.start();
    }

    /** Builds apply (its consumer connected) without starting it, as the pipeline does during a backfill. */
    ApplyLoop build(int batchSize, Duration batchMaxWait) throws Exception {
        OffsetStore offsets = new OffsetStore(dialect);
        try (Connection c = target.getConnection()) {
            offsets.createTable(c);
            if (ddlInStream) {
                new SchemaStore(dialect).overlay(c, tables);
            }
        }
        pauses.reset(tables.keySet());
        BatchWriter writer = new BatchWriter(dialect, tables, new SchemaEvolution(source, dialect, ddlInStream, droppedColumns));
        PoisonPolicy poison = new PoisonPolicy(PoisonPolicy.Mode.PAUSE_TABLE, Optional.empty(), pauses, target, writer, offsets);
        List<TopicPartition> partitions = new ArrayList<>();
        for (TableId table : tables.keySet()) {
            for (int p = 0; p < partitionCount; p++) {
                partitions.add(new TopicPartition(topic(table.table()), p));
            }
        }
        loop = new ApplyLoop(kafka.with(consumerProperties).applyConsumer(batchSize), partitions, target, writer, offsets, meters, lag,
                batchSize, batchMaxWait, failure::set, poison, pauses);
        loop.fencedBy(fence);
        loop.skipping(change -> {
            read.add(change);
            return false;
        });
        thread = new Thread(loop, "harness-apply-" + database);
        return loop;
    }

    /** Waits until apply has read a change of the table: what is published next lands later in its batch. */
    void awaitRead(String table) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> read.stream().anyMatch(c -> c.table().table().equals(table)));
    }

    /** Stops apply (what it did not commit is read again by the next start). */
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.close();
            if (thread.getState() != Thread.State.NEW) {
                thread.join(30_000);
            }
            loop = null;
        }
    }

    /** Asks apply to stop, as a pipeline's stop does, without waiting for it. */
    void closeWithoutWaiting() {
        loop.close();
    }

    /** Whether apply's thread ended within {@code wait}. */
    boolean ended(Duration wait) throws InterruptedException {
        thread.join(wait.toMillis());
        return !thread.isAlive();
    }

    /** True while apply's Kafka consumer is open (it registers its metrics under its client id). */
    boolean consumerOpen() throws Exception {
        return !java.lang.management.ManagementFactory.getPlatformMBeanServer().queryNames(new javax.management.ObjectName(
                "kafka.consumer:type=consumer-metrics,client-id=harness-" + database + "-apply"), null).isEmpty();
    }

    @Override
    public void close() throws Exception {
        stop();
        producer.close(Duration.ofSeconds(5));
        target.close();
        source.close();
    }
}
