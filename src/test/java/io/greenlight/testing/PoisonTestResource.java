package io.greenlight.testing;

import java.sql.Connection;
import java.util.Map;

/**
 * Source tables for the poison-data tests: prices (an unconstrained numeric, DECIMAL(65,30) on
 * the target), accounts (whose target gets a unique key the source lacks) and notes (never
 * poisoned: it must keep replicating). Subclasses pick the on-error policy.
 */
public class PoisonTestResource extends PipelineTestResource {

    public static final String API_TOKEN = "poison-token-7e2a9d4f1c6b8e3a0d5f2b9c";
    /** 35 fraction digits: more than DECIMAL(65,30) holds. */
    public static final String TOO_PRECISE = "1.00000000000000000000000000000000001";

    @Override
    protected String database() {
        return "poison";
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c,
                "CREATE TABLE prices (id int PRIMARY KEY, amount numeric)",
                "CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL)",
                "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                "INSERT INTO notes VALUES (1, 'before start')");
        if (getClass() == PoisonTestResource.class || getClass() == OnPostgres.class || getClass() == OnMySql8.class) {
            // a row the backfill cannot write: its target table is made narrower by hand (createTarget)
            Sql.exec(c, "CREATE TABLE labels (id int PRIMARY KEY, name varchar(10))",
                    "INSERT INTO labels VALUES (1, 'ok'), (2, 'too long'), (3, 'ok')");
        }
    }

    @Override
    protected void createTarget(Connection c) throws Exception {
        if (getClass() == PoisonTestResource.class || getClass() == OnMySql8.class) {
            Sql.exec(c, "CREATE TABLE labels (id INT NOT NULL PRIMARY KEY, name VARCHAR(3)) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin");
        }
    }

    @Override
    protected void configure(Map<String, String> config) throws Exception {
        config.put("greenlight.api.token", API_TOKEN);
    }

    /** A PostgreSQL target whose prices.amount and labels.name are narrower than the source's: numeric(6,2), varchar(3). */
    public static class OnPostgres extends PoisonTestResource {
        public static final String DATABASE = "poison_pg";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetEngine target() {
            return TargetEngine.POSTGRES;
        }

        @Override
        protected void createTarget(Connection c) throws Exception {
            Sql.exec(c, "CREATE TABLE public.prices (id integer PRIMARY KEY, amount numeric(6,2))",
                    "CREATE TABLE public.labels (id integer PRIMARY KEY, name varchar(3))");
        }
    }

    /** MySQL 8 in a container (hosts with Docker only), narrowed as the MariaDB target is. */
    public static class OnMySql8 extends PoisonTestResource {
        public static final String DATABASE = "poison_my8";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetDatabase target() {
            return MySql8Target.INSTANCE;
        }
    }

    /** greenlight.apply.on-error=stop-pipeline. */
    public static class StopPipeline extends PoisonTestResource {
        @Override
        protected String database() {
            return "poison_stop";
        }

        @Override
        protected void configure(Map<String, String> config) throws Exception {
            super.configure(config);
            config.put("greenlight.apply.on-error", "stop-pipeline");
        }
    }

    /** greenlight.apply.dead-letter-topic set. */
    public static class DeadLetter extends PoisonTestResource {
        public static final String TOPIC = "poison_dlq.dead-letters";

        @Override
        protected String database() {
            return "poison_dlq";
        }

        @Override
        protected void configure(Map<String, String> config) throws Exception {
            super.configure(config);
            config.put("greenlight.apply.dead-letter-topic", TOPIC);
        }
    }
}
