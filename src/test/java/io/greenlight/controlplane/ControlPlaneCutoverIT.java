package io.greenlight.controlplane;

import io.greenlight.testing.ConnectWorker;
import io.greenlight.testing.ConnectorFiles;
import io.greenlight.testing.ServiceProcess;
import io.greenlight.testing.Sql;
import io.greenlight.testing.TestServers;
import io.greenlight.testing.WriteLoad;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greenlight in greenlight.mode=control-plane (the packaged jar) over a pipeline that runs in Kafka
 * Connect (a worker in this JVM running the Debezium source and Greenlight's sink of
 * connectors/kafka-connect): it shows the pipeline's lag and cuts over with the drain exact.
 */
class ControlPlaneCutoverIT {

    private static final TestServers SERVERS = TestServers.get();
    private static final String TOKEN = "control-plane-token-3b8e1f6a9c2d4e7f0a5b";
    private static final String DB = "cp_cutover";
    private static final String GROUP = "connect-cp-cutover";
    private static final List<String> TABLES = List.of("public.accounts", "public.ledger", "public.orders",
            "greenlight.greenlight_heartbeat");

    @Test
    void aCutoverDrivenByTheControlPlaneDrainsExactlyWhatConnectCapturedAndSyncsSequences() throws Exception {
        SERVERS.postgres.createDatabase(DB);
        SERVERS.mariadb.createDatabase(DB);
        try (Connection source = SERVERS.postgres.connect(DB)) {
            Sql.exec(source, WriteLoad.SCHEMA);
            Sql.exec(source, "CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)",
                    "INSERT INTO orders (item) SELECT 'item ' || g FROM generate_series(1, 50) g");
        }
        Map<String, String> env = SERVERS.serviceEnv(DB);
        env.put("GREENLIGHT_MODE", "control-plane");
        env.put("GREENLIGHT_KAFKA_BOOTSTRAP_SERVERS", SERVERS.kafkaBootstrap);
        env.put("GREENLIGHT_CONNECT_OFFSETS_TOPIC", GROUP + "-offsets");
        env.put("GREENLIGHT_CONNECT_SOURCE_CONNECTOR", DB + "-source");
        env.put("GREENLIGHT_SOURCE_TABLES", "public.accounts,public.ledger,public.orders");
        env.put("GREENLIGHT_API_TOKEN", TOKEN);
        Path log = Files.createTempFile("greenlight-" + DB, ".log");
        String slot = env.get("GREENLIGHT_SOURCE_SLOT");
        try (ServiceProcess service = ServiceProcess.start(env, log);
             ConnectWorker worker = ConnectWorker.start("cp-worker", GROUP, SERVERS.kafkaBootstrap)) {
            // The control plane prepared the publication (with the heartbeat table): Connect's source can start.
            await("the control plane is up").atMost(Duration.ofMinutes(2)).failFast("FAILED", () -> "FAILED".equals(service.phase()))
                    .until(() -> "SNAPSHOT".equals(service.phase()));
            worker.putConnector(DB + "-source", ConnectorFiles.source(SERVERS, DB, DB, slot, slot, TABLES));
            worker.putConnector(DB + "-sink", ConnectorFiles.sink(SERVERS, DB, DB, TABLES, 2));
            await("Connect's snapshot is done").atMost(Duration.ofMinutes(3)).until(() -> "STREAMING".equals(service.phase()));
            HttpResponse<String> armed;
            try (WriteLoad load = WriteLoad.start(SERVERS.postgres, DB)) {
                await("load").atMost(Duration.ofMinutes(3)).until(() -> load.committed() >= 300);
                await("/status shows the lag of the pipeline in Connect, caught up").atMost(Duration.ofMinutes(3))
                        .until(() -> service.statusNumber("endToEndSeconds") < 5);
                String status = service.get("/status");
                assertTrue(status.contains("\"captureRunning\":true") && status.contains("\"applyRunning\":true"), status);
                HttpResponse<String> refused = service.send("POST", "/cutover", TOKEN, "{\"maxLagSeconds\": 5}");
                assertEquals(409, refused.statusCode(), refused.body());
                assertTrue(refused.body().contains("control-plane") && refused.body().contains("giveUpRollback"),
                        refused.body()); // the next request sends it
                armed = service.send("POST", "/cutover", TOKEN, """
                        {"maxLagSeconds": 5, "stableSeconds": 1, "timeoutSeconds": 300, "maxWriteBlockedSeconds": 120,
                         "verify": true, "giveUpRollback": true, "fence": {"mode": "READ_ONLY"}}""");
                assertEquals(202, armed.statusCode(), armed.body());
                await("the cutover completes").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                        .failFast("the cutover FAILED", () -> service.get("/cutover").contains("\"state\":\"FAILED\""))
                        .until(() -> service.get("/cutover").contains("\"state\":\"COMPLETED\""));
                System.out.printf("Control-plane cutover under load: %d transactions committed, %d refused by the fence%n",
                        load.committed(), load.failures());
            }
            String record = service.get("/cutover");
            try (Connection s = SERVERS.postgres.connect(DB); Connection t = SERVERS.mariadb.connect(DB)) {
                // As the cutover left it, without waiting: the drain applied everything the source committed before the fence.
                long sourceRows = Sql.count(s, "ledger");
                long targetRows = Sql.count(t, "ledger");
                long distinct = Long.parseLong(Sql.rows(t, "SELECT count(DISTINCT tx) FROM ledger").get(0).get(0));
                System.out.printf("Control-plane cutover ledger: source %d rows, target %d rows, %d distinct tx: %d lost, %d doubled; %s%n",
                        sourceRows, targetRows, distinct, sourceRows - distinct, targetRows - distinct,
                        record.replaceAll("(?s).*(\"writeBlockedSeconds\":[0-9.]+).*", "$1"));
                WriteLoad.assertConverged(SERVERS.postgres, SERVERS.mariadb, DB);
                assertEquals(sourceRows, targetRows, "no ledger row lost or doubled");
                assertEquals(targetRows, distinct, "no ledger row doubled");
                String next = Sql.rows(t, "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + DB
                        + "' AND TABLE_NAME = 'orders'").get(0).get(0);
                long sourceLast = Long.parseLong(Sql.rows(s, "SELECT last_value FROM orders_id_seq").get(0).get(0));
                assertTrue(next != null && Long.parseLong(next) > sourceLast, "the target's AUTO_INCREMENT continues past the "
                        + "source's sequence (" + sourceLast + "): " + next);
            }
            assertTrue(record.contains("\"verification\""), record);
            // Nothing reached the change topics after the fence: the drain's target is each one's end, exactly.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", SERVERS.kafkaBootstrap))) {
                for (String table : List.of("public.accounts", "public.ledger")) {
                    TopicPartition partition = new TopicPartition(DB + "." + table, 0);
                    long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
                    assertTrue(record.contains("\"" + partition + "\":" + end), "drain target " + partition + " = " + end + ": " + record);
                }
            }
        } finally {
            await("slot released").atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
                try (Connection c = SERVERS.postgres.connect(DB)) {
                    Sql.exec(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                            + slot + "'");
                    return true;
                }
            });
        }
    }
}
