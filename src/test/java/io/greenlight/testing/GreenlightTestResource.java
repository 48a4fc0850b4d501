package io.greenlight.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;

/**
 * Gives the in-JVM Greenlight a fresh source database (with pre-existing rows to snapshot), a
 * fresh target database and the shared test Kafka broker.
 */
public class GreenlightTestResource extends PipelineTestResource {

    public static final String DATABASE = "shop";
    /** Bearer token of the mutating endpoints (POST /verify, POST /cutover). */
    public static final String API_TOKEN = "test-token-9a4c7e2f5b0d8a3c6f1e9b4d7a";

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c,
                "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email varchar(200),"
                        + " balance numeric(12,2), created timestamptz, active boolean)",
                "INSERT INTO customers (name, email, balance, created, active)"
                        + " SELECT 'customer ' || g, 'c' || g || '@example.com', g * 1.25, "
                        + " timestamptz '2024-03-31 01:30:00+01' + g * interval '1 hour', g % 2 = 0"
                        + " FROM generate_series(1, 500) g",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, status varchar(20),"
                        + " total numeric(10,2), placed_at timestamp)",
                "CREATE TABLE audit_log (id int PRIMARY KEY, message text)",
                "CREATE TABLE tags (name text, weight int)",
                "ALTER TABLE tags REPLICA IDENTITY FULL");
    }

    @Override
    protected void configure(Map<String, String> config) throws Exception {
        config.put("greenlight.api.token", API_TOKEN);
        // The shipped connector file (connectors/): the embedded engine runs with it in every test.
        config.put("greenlight.capture.connector-config",
                Path.of("connectors/debezium-postgres.properties").toAbsolutePath().toString());
    }

    /** The same source, written to a PostgreSQL target (a second cluster). */
    public static class OnPostgres extends GreenlightTestResource {

        public static final String DATABASE = "shop_pg";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetEngine target() {
            return TargetEngine.POSTGRES;
        }
    }

    /** The same source, written to MySQL 8 in a container (hosts with Docker only). */
    public static class OnMySql8 extends GreenlightTestResource {

        public static final String DATABASE = "shop_my8";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetDatabase target() {
            return MySql8Target.INSTANCE;
        }
    }

    /** The same source and MariaDB target, through a Kafka broker in a container (hosts with Docker only). */
    public static class OnKafkaContainer extends GreenlightTestResource {

        public static final String DATABASE = "shop_kc";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected void configure(Map<String, String> config) throws Exception {
            super.configure(config);
            config.put("greenlight.kafka.bootstrap-servers", Containers.kafka().getBootstrapServers());
        }
    }
}
