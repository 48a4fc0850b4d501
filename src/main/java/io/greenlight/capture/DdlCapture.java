package io.greenlight.capture;

import io.greenlight.schema.DdlEvent;
import io.greenlight.schema.TableDefinition;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * The source's DDL in the change stream: event triggers on ddl_command_end and sql_drop write each
 * statement's command tag, object, text and the affected table's definition right after it with
 * {@code pg_logical_emit_message(true, 'greenlight.ddl', ...)}. Transactional, so the message is in
 * the statement's own transaction and WAL, in order with the data around it; capture routes it into
 * the table's topic and apply translates it at exactly that point.
 */
public final class DdlCapture {

    /** Names the installed version in the function's comment: an older one is replaced at start. */
    static final String VERSION = SourceCleanup.MARK + " (ddl capture v4)";
    static final String SCHEMA = HeartbeatWriter.SCHEMA;
    static final List<String> TRIGGERS = List.of("greenlight_ddl_command_end", "greenlight_ddl_sql_drop",
            "greenlight_ddl_command_start");
    static final List<String> FUNCTIONS = List.of("greenlight.greenlight_ddl_command_end()", "greenlight.greenlight_ddl_sql_drop()",
            "greenlight.greenlight_ddl_command_start()");

    /** What /status and the start say while greenlight.schema.ddl-capture=off. */
    public static final String OFF_WARNING = "greenlight.schema.ddl-capture=off: the source's DDL is not captured. Schema "
            + "changes are inferred from the columns of each table's next change: a RENAME COLUMN is taken for a new column "
            + "(the target keeps the old one with its values, the new one is NULL for rows not changed since), dropped columns "
            + "stay on the target, CREATE/DROP INDEX, DROP TABLE, RENAME TABLE and new tables are not followed, and a column "
            + "added with a volatile default is NULL on the target for older rows. Compare with POST /verify after every "
            + "schema change, or have a superuser install the triggers and set greenlight.schema.ddl-capture=triggers.";

    private final Connection connection;

    public DdlCapture(Connection connection) {
        this.connection = connection;
    }

    /** The statements that install the triggers: what Greenlight runs, and what it advises a superuser to run. */
    public static String installScript() {
        return SCRIPT.replace("{{EMIT_COMMAND}}", emit("r.command_tag", "r.object_identity"))
                .replace("{{EMIT_DROP}}", emit("tg_tag", "r.object_identity"))
                .replace("{{PREFIX}}", DdlEvent.PREFIX).replace("{{VERSION}}", VERSION).replace("{{MARK}}", SourceCleanup.MARK);
    }

    /**
     * Writes the definition of table {@code rel} with the statement's tag and object into the WAL. Inlined
     * into each trigger function: the application's DDL runs them, as users that may not use schema greenlight.
     */
    private static String emit(String tag, String identity) {
        return "PERFORM pg_logical_emit_message(true, '" + DdlEvent.PREFIX + "', json_build_object('tag', " + tag
                + ", 'objectType', r.object_type, 'identity', " + identity + ", 'statement', left(current_query(), 20000),"
                + " 'schema', n.nspname, 'table', c.relname, 'definition', " + TableDefinition.json("rel") + ")::text)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.oid = rel AND c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND n.nspname <> 'greenlight';";
    }

    private static final String SCRIPT = """
                CREATE SCHEMA IF NOT EXISTS greenlight;
                CREATE OR REPLACE FUNCTION greenlight.greenlight_ddl_command_end() RETURNS event_trigger
                LANGUAGE plpgsql AS $gl$
                DECLARE r record; rel oid;
                BEGIN
                  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE NOT in_extension LOOP
                    IF r.object_type = 'type' THEN
                      -- ALTER TYPE ... ADD VALUE and the like: every table with a column of that type (or its array, or a domain over it)
                      FOR rel IN SELECT DISTINCT a.attrelid FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                                  WHERE NOT a.attisdropped AND a.attnum > 0
                                    AND (t.oid = r.objid OR t.typelem = r.objid OR t.typbasetype = r.objid) LOOP
                        {{EMIT_COMMAND}}
                      END LOOP;
                      CONTINUE;
                    END IF;
                    rel := CASE WHEN r.object_type IN ('table', 'table column') THEN r.objid
                                WHEN r.object_type = 'index' THEN (SELECT indrelid FROM pg_index WHERE indexrelid = r.objid)
                                WHEN r.object_type = 'table constraint' THEN (SELECT conrelid FROM pg_constraint WHERE oid = r.objid)
                           END;
                    IF rel IS NOT NULL THEN
                      {{EMIT_COMMAND}}
                    END IF;
                  END LOOP;
                END $gl$;
                CREATE OR REPLACE FUNCTION greenlight.greenlight_ddl_command_start() RETURNS event_trigger
                LANGUAGE plpgsql AS $gl$
                BEGIN
                  -- DROP INDEX: which table each index belongs to, for sql_drop, where the index is gone already. For the
                  -- session, not the transaction: DROP INDEX CONCURRENTLY commits in between; sql_drop clears it.
                  PERFORM set_config('greenlight.index_tables', coalesce((SELECT json_object_agg(i.indexrelid::text, i.indrelid::bigint)
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'greenlight')), '{}'::json)::text, false);
                END $gl$;
                CREATE OR REPLACE FUNCTION greenlight.greenlight_ddl_sql_drop() RETURNS event_trigger
                LANGUAGE plpgsql AS $gl$
                DECLARE r record; rel oid;
                BEGIN
                  FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() WHERE object_type = 'index' AND original LOOP
                    rel := (nullif(current_setting('greenlight.index_tables', true), '')::json ->> r.objid::text)::oid;
                    IF rel IS NOT NULL THEN
                      {{EMIT_DROP}}
                    END IF;
                  END LOOP;
                  IF tg_tag = 'DROP INDEX' THEN
                    PERFORM set_config('greenlight.index_tables', '', false);
                  END IF;
                  FOR r IN SELECT * FROM pg_event_trigger_dropped_objects()
                            WHERE object_type = 'table' AND original AND NOT is_temporary AND schema_name <> 'greenlight' LOOP
                    PERFORM pg_logical_emit_message(true, '{{PREFIX}}', json_build_object('tag', tg_tag, 'objectType', r.object_type,
                      'identity', r.object_identity, 'statement', left(current_query(), 20000), 'schema', r.schema_name,
                      'table', r.object_name, 'oid', r.objid, 'definition', NULL)::text);
                  END LOOP;
                END $gl$;
                COMMENT ON FUNCTION greenlight.greenlight_ddl_command_end() IS '{{VERSION}}';
                DROP EVENT TRIGGER IF EXISTS greenlight_ddl_command_end;
                CREATE EVENT TRIGGER greenlight_ddl_command_end ON ddl_command_end EXECUTE FUNCTION greenlight.greenlight_ddl_command_end();
                ALTER EVENT TRIGGER greenlight_ddl_command_end ENABLE ALWAYS;
                COMMENT ON EVENT TRIGGER greenlight_ddl_command_end IS '{{MARK}}';
                DROP EVENT TRIGGER IF EXISTS greenlight_ddl_sql_drop;
                CREATE EVENT TRIGGER greenlight_ddl_sql_drop ON sql_drop EXECUTE FUNCTION greenlight.greenlight_ddl_sql_drop();
                ALTER EVENT TRIGGER greenlight_ddl_sql_drop ENABLE ALWAYS;
                COMMENT ON EVENT TRIGGER greenlight_ddl_sql_drop IS '{{MARK}}';
                DROP EVENT TRIGGER IF EXISTS greenlight_ddl_command_start;
                CREATE EVENT TRIGGER greenlight_ddl_command_start ON ddl_command_start WHEN TAG IN ('DROP INDEX')
                  EXECUTE FUNCTION greenlight.greenlight_ddl_command_start();
                ALTER EVENT TRIGGER greenlight_ddl_command_start ENABLE ALWAYS;
                COMMENT ON EVENT TRIGGER greenlight_ddl_command_start IS '{{MARK}}';
                """;

    /** True when this version of the triggers is installed and enabled. */
    public boolean installed() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT count(*) = 3 AND bool_and(evtenabled = 'A')
                       AND (SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                             WHERE n.nspname = 'greenlight' AND p.proname = 'greenlight_ddl_command_end') = '""" + VERSION + """
                ' FROM pg_event_trigger WHERE evtname IN ('greenlight_ddl_command_end', 'greenlight_ddl_sql_drop',
                'greenlight_ddl_command_start')""")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /**
     * Installs the triggers unless they are; the reason it cannot (creating an event trigger needs a
     * superuser, or rds_superuser / cloudsqlsuperuser / azure_pg_admin on managed services) with the
     * statements a superuser runs instead.
     */
    public Optional<String> ensure() throws SQLException {
        if (installed()) {
            return Optional.empty();
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute(installScript());
            connection.commit();
            return Optional.empty();
        } catch (SQLException e) {
            connection.rollback();
            if (!"42501".equals(e.getSQLState()) && !"42P17".equals(e.getSQLState())) {
                throw e;
            }
            return Optional.of("Cannot install the DDL capture triggers on the source (" + e.getMessage().lines().findFirst().orElse("")
                    + "): schema changes made while Greenlight migrates would not reach the target in order. Creating an event "
                    + "trigger needs a superuser (rds_superuser on Amazon RDS, cloudsqlsuperuser on Cloud SQL). Have one run, in "
                    + "the source database:\n" + installScript() + "then restart Greenlight. Where no role may create event "
                    + "triggers, greenlight.schema.ddl-capture=off starts without them (schema changes are then only inferred "
                    + "from the changes: see docs/schema-evolution.md).");
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Drops the triggers and their functions (POST /source/cleanup); what was dropped, in the operator's words. */
    public List<String> remove() throws SQLException {
        boolean present;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'greenlight\\_ddl\\_%'")) {
            present = rs.next() && rs.getInt(1) > 0;
        }
        boolean functions;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                        + " WHERE n.nspname = 'greenlight' AND p.proname LIKE 'greenlight\\_ddl\\_%')")) {
            functions = rs.next() && rs.getBoolean(1);
        }
        if (!present && !functions) {
            return List.of();
        }
        try (Statement st = connection.createStatement()) {
            for (String trigger : TRIGGERS) {
                st.execute("DROP EVENT TRIGGER IF EXISTS " + trigger);
            }
            for (String function : FUNCTIONS) {
                st.execute("DROP FUNCTION IF EXISTS " + function);
            }
        }
        return List.of("event triggers " + String.join(", ", TRIGGERS) + " and their functions (DDL capture)");
    }
}
