package io.greenlight.kafka;

import io.debezium.schema.SchemaTopicNamingStrategy;
import io.greenlight.schema.TableId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The names of Greenlight's topics; one place so capture, apply and ops tooling agree. */
public final class TopicNames {

    private final String prefix;
    /** Debezium's own (default) strategy: the names apply reads are the names capture writes, for any table name. */
    private final SchemaTopicNamingStrategy debezium;

    public TopicNames(String prefix) {
        this.prefix = prefix;
        Properties properties = new Properties();
        properties.put("topic.prefix", prefix);
        this.debezium = new SchemaTopicNamingStrategy(properties);
    }

    /**
     * {@code <prefix>.<schema>.<table>}, the name Debezium routes a table's changes to: every
     * character Kafka does not allow in a topic name (outside [a-zA-Z0-9._-]) becomes '_'.
     */
    public String table(TableId table) {
        return debezium.dataChangeTopic(new io.debezium.relational.TableId(null, table.schema(), table.table()));
    }

    /**
     * Refuses tables whose topic names coincide (e.g. {@code "a b"} and {@code a_b}): their
     * changes would be merged into one topic, and apply would mistake one table's for the other's.
     */
    public void refuseCollisions(Collection<TableId> tables) {
        Map<String, List<TableId>> byTopic = new TreeMap<>();
        tables.forEach(t -> byTopic.computeIfAbsent(table(t), k -> new ArrayList<>()).add(t));
        List<String> clashes = new ArrayList<>();
        byTopic.forEach((topic, sharing) -> {
            if (sharing.size() > 1) {
                clashes.add(String.join(" and ", sharing.stream().sorted().map(TableId::quoted).toList())
                        + " would share the Kafka topic " + topic);
            }
        });
        if (!clashes.isEmpty()) {
            throw new IllegalStateException("Greenlight refuses to start: " + String.join("; ", clashes) + ". Kafka topic "
                    + "names allow only letters, digits, '.', '_' and '-', so other characters become '_'. Rename one of "
                    + "the tables on the source, or leave all but one out of greenlight.source.tables.");
        }
    }

    /** Compacted topic holding the source connector's offsets (so the pod keeps no state). */
    public String sourceOffsets() {
        return prefix + ".__source-offsets";
    }

    public String prefix() {
        return prefix;
    }
}
