package io.greenlight.testing;

import java.sql.Connection;
import java.util.Map;

/**
 * A source database whose application writes as role {@code app_writer} (what the cutover
 * fences), a fresh target, the shared Kafka broker and an API token.
 */
public class CutoverTestResource extends PipelineTestResource {

    public static final String DATABASE = "bank";
    public static final String TOKEN = "cutover-token-8c2e5a9f1b7d3e6c0a4f9b2d";

    @Override
    protected String database() {
        return DATABASE;
    }

    @Override
    protected void createSource(Connection c) throws Exception {
        Sql.exec(c, // roles belong to the cluster, which the PostgreSQL-target run shares
                "DO $$ BEGIN CREATE ROLE app_writer LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "CREATE TABLE accounts (id serial PRIMARY KEY, owner text NOT NULL, balance numeric(14,2) NOT NULL)",
                "CREATE TABLE transfers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account int NOT NULL,"
                        + " amount numeric(14,2) NOT NULL, at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE branches (code text PRIMARY KEY, name text NOT NULL)", // no generated key: no sequence to sync
                "INSERT INTO accounts (owner, balance) SELECT 'owner ' || g, 100 FROM generate_series(1, 200) g",
                "INSERT INTO branches VALUES ('north', 'North'), ('south', 'South')",
                // One column per type family; empty until the new primary writes to it (reverse replication's round trip).
                "CREATE EXTENSION IF NOT EXISTS hstore",
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE kinds (id int PRIMARY KEY, amount numeric(12,4), plain numeric, at timestamptz, stamp timestamp,"
                        + " day date, doc jsonb, ints int[], words text[], feeling mood, ref uuid, raw bytea, span interval,"
                        + " attrs hstore, addr inet, flag boolean, ratio float8)",
                // What a production database holds beyond the README's families, for the same round trip.
                "CREATE EXTENSION IF NOT EXISTS citext",
                "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)",
                "CREATE TABLE kinds_more (id int PRIMARY KEY, pos positive_int, cash money, name citext, during tstzrange,"
                        + " nums int4range, total int GENERATED ALWAYS AS (id * 2) STORED, nan numeric, inf float8,"
                        + " far timestamptz, clock timetz, bits varbit(16), moods mood[], days date[], raw json,"
                        + " big numeric(40,20), ancient date, midnight time, net cidr, mac macaddr, doc xml, small real,"
                        + " fixed char(5), terms tsvector, amounts numeric(8,2)[], docs jsonb[], stamps timestamptz[], spans interval[],"
                        + " pt point, area box, ranges int4multirange, nr numrange, dr daterange, ids uuid[], blobs bytea[],"
                        + " mac8 macaddr8)",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, transfers TO app_writer",
                "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_writer");
    }

    @Override
    protected void configure(Map<String, String> config) throws Exception {
        config.put("greenlight.api.token", TOKEN);
        // Known losses of the connector on the way forward (docs/types.md); the round trip shows them on the way back.
        config.put("greenlight.types.lossy-accept", "public.kinds_more.total,public.kinds_more.clock");
    }


    /** The same bank replicated to a PostgreSQL target (database bank_pg: the source cluster is shared). */
    public static class OnPostgres extends CutoverTestResource {

        public static final String DATABASE = "bank_pg";

        @Override
        protected String database() {
            return DATABASE;
        }

        @Override
        protected TargetEngine target() {
            return TargetEngine.POSTGRES;
        }

        @Override
        protected void createTarget(Connection target) throws Exception {
            // a PostgreSQL target needs the source's extensions
            Sql.exec(target, "CREATE EXTENSION IF NOT EXISTS hstore", "CREATE EXTENSION IF NOT EXISTS citext");
        }
    }
}
