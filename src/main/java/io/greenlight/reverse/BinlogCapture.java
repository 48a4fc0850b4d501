package io.greenlight.reverse;

import io.greenlight.capture.HeartbeatTable;
import io.greenlight.config.GreenlightConfig;
import io.greenlight.schema.SourceTable;
import io.greenlight.schema.TableId;
import org.apache.kafka.connect.data.Struct;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A MySQL/MariaDB new primary, read from its binlog by Debezium's MariaDB connector. Tables are
 * matched by name (the target keeps the source's table names in its one database); values are
 * reshaped for the old source's original types ({@link ReverseValues}).
 */
final class BinlogCapture implements PrimaryCapture {

    private final GreenlightConfig config;
    private final String stream;
    private final ReverseValues values = new ReverseValues();

    BinlogCapture(GreenlightConfig config, String stream) {
        this.config = config;
        this.stream = stream;
    }

    @Override
    public HeartbeatTable heartbeatTable() {
        return HeartbeatTable.PRIMARY_MYSQL;
    }

    @Override
    public String kind() {
        return "binlog";
    }

    @Override
    public List<String> problems(Connection target, Collection<TableId> tables) throws SQLException {
        return BinlogPreflight.problems(target);
    }

    @Override
    public ReverseStart recordStart(Connection target, Collection<TableId> tables, java.time.Duration within) throws SQLException {
        // Reading where the binlog ends waits for nothing (no lock, no open transaction): within is not needed.
        BinlogPosition position = BinlogPosition.current(target);
        return new ReverseStart("binlog position " + position, position.offset());
    }

    @Override
    public Properties properties(Collection<SourceTable> tables) {
        List<String> read = new ArrayList<>(tables.stream().map(t -> t.id().table()).toList());
        read.add(HeartbeatTable.REVERSE);
        GreenlightConfig.Target tgt = config.target();
        return ReverseProperties.of(stream, tgt.url().orElseThrow(), tgt.username().orElseThrow(), tgt.password().orElse(null),
                read, ReverseProperties.serverId(stream));
    }

    @Override
    public String key(Struct source) {
        return source.getString("table");
    }

    @Override
    public String key(TableId table) {
        return table.table();
    }

    @Override
    public Struct row(SourceTable table, Struct image) {
        return values.toSource(table, image);
    }

    @Override
    public String where(Struct source) {
        return "binlog " + source.getString("file");
    }

    @Override
    public long position(Struct source) {
        return source.getInt64("pos");
    }

    @Override
    public List<String> discard(Connection target) {
        return List.of(); // a binlog position holds nothing on the server
    }

    @Override
    public List<String> remove(Connection target) {
        return List.of(); // the binlog reader keeps no state on the server
    }
}
