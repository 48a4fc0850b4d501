package io.greenlight.connect;

import io.greenlight.capture.DdlRouting;
import io.greenlight.kafka.TopicNames;
import io.greenlight.schema.TableId;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * A transform for the Debezium PostgreSQL source connector that does on Connect what Greenlight's
 * own capture does ({@link DdlRouting}): a {@code greenlight.ddl} logical message (the source's
 * DDL, written by Greenlight's event triggers) goes into the topic of the captured table it
 * changes, in order with that table's changes, so the sink applies it at exactly that point.
 * Without it Debezium writes such messages to {@code <topic.prefix>.message}, which no sink reads.
 * A table renamed on the source is found by its oid (read from the source at start); DDL of a
 * table that is not captured is dropped. Other records pass unchanged.
 */
public final class DdlMessageRouter implements Transformation<SourceRecord> {

    public static final String TABLES = "tables";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String SOURCE_URL = "source.url";
    public static final String SOURCE_USERNAME = "source.username";
    public static final String SOURCE_PASSWORD = "source.password";

    private static final Logger LOG = Logger.getLogger(DdlMessageRouter.class);

    static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(TABLES, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "The captured tables, schema.table (the source connector's table.include.list and the sink's tables)")
            .define(TOPIC_PREFIX, ConfigDef.Type.STRING, "greenlight", ConfigDef.Importance.HIGH,
                    "The source connector's topic.prefix")
            .define(SOURCE_URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "jdbc:postgresql://HOST:5432/DB of the source: the captured tables' oids are read from it")
            .define(SOURCE_USERNAME, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "User of the source")
            .define(SOURCE_PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.HIGH,
                    "Password of the source user (use a config provider)");

    private DdlRouting routing;

    @Override
    public void configure(Map<String, ?> props) {
        AbstractConfig config = new AbstractConfig(CONFIG_DEF, props);
        List<TableId> tables = config.getList(TABLES).stream().map(String::trim).filter(t -> !t.isEmpty()).map(TableId::parse).toList();
        TopicNames topics = new TopicNames(config.getString(TOPIC_PREFIX));
        Properties login = new Properties();
        login.setProperty("user", config.getString(SOURCE_USERNAME));
        Password password = config.getPassword(SOURCE_PASSWORD);
        if (password != null) {
            login.setProperty("password", password.value());
        }
        login.setProperty("ApplicationName", "greenlight-ddl-router");
        String url = config.getString(SOURCE_URL);
        try (Connection source = new org.postgresql.Driver().connect(url, login)) {
            if (source == null) {
                throw new ConfigException(SOURCE_URL, url, "not a jdbc:postgresql: URL");
            }
            routing = DdlRouting.of(source, tables, topics::table, Set.of(), created -> { }, null);
        } catch (SQLException e) {
            throw new ConfigException("Greenlight's DDL router cannot read the captured tables' oids from the source at " + url
                    + " (" + e.getMessage() + "): check transforms.<name>." + SOURCE_URL + ", " + SOURCE_USERNAME + " and "
                    + SOURCE_PASSWORD + ".");
        }
        LOG.infof("Greenlight DDL messages go into the topics of %d table(s)", tables.size());
    }

    @Override
    public SourceRecord apply(SourceRecord record) {
        if (!DdlRouting.isDdlMessage(record)) {
            return record;
        }
        Optional<DdlRouting.Route> route = routing.route(record);
        if (route.isEmpty()) {
            return null; // DDL of a table that is not captured
        }
        return record.newRecord(route.get().topic(), null, record.keySchema(), record.key(), record.valueSchema(),
                route.get().value(), record.timestamp());
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }
}
