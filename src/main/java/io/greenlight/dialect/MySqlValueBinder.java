package io.greenlight.dialect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenlight.schema.SourceColumn;
import org.apache.kafka.connect.data.Schema;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;

/**
 * Turns Debezium's Kafka Connect values into JDBC parameters for MySQL/MariaDB, using the
 * semantic schema names Debezium attaches (io.debezium.time.*, io.debezium.data.*).
 * Times are bound as text with all six fraction digits: Connector/J drops fractional seconds
 * for servers reporting version 5.5.5 (MariaDB's compatibility prefix).
 */
final class MySqlValueBinder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    void bind(PreparedStatement ps, int index, SourceColumn column, Schema schema, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NULL);
            return;
        }
        String semantic = schema == null ? null : schema.name();
        if (semantic != null) {
            switch (semantic) {
                case "io.debezium.time.Date" -> {
                    ps.setObject(index, LocalDate.ofEpochDay(((Number) value).longValue()));
                    return;
                }
                case "io.debezium.time.Time" -> {
                    ps.setString(index, TIME.format(LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000_000L)));
                    return;
                }
                case "io.debezium.time.MicroTime" -> {
                    ps.setString(index, TIME.format(LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000L)));
                    return;
                }
                case "io.debezium.time.NanoTime" -> {
                    ps.setString(index, TIME.format(LocalTime.ofNanoOfDay(((Number) value).longValue())));
                    return;
                }
                case "io.debezium.time.Timestamp" -> {
                    ps.setString(index, utc(Instant.ofEpochMilli(((Number) value).longValue())));
                    return;
                }
                case "io.debezium.time.MicroTimestamp" -> {
                    long micros = ((Number) value).longValue();
                    ps.setString(index, utc(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1_000L)));
                    return;
                }
                case "io.debezium.time.NanoTimestamp" -> {
                    long nanos = ((Number) value).longValue();
                    ps.setString(index, utc(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                            Math.floorMod(nanos, 1_000_000_000L))));
                    return;
                }
                case "io.debezium.time.ZonedTimestamp" -> {
                    // timestamptz is stored as UTC wall time in DATETIME(6).
                    ps.setString(index, DATETIME.format(OffsetDateTime.parse((String) value)
                            .withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()));
                    return;
                }
                default -> {
                    // fall through to the structural handling below
                }
            }
        }
        if ("numeric".equals(column.typeName()) || "money".equals(column.typeName())) {
            ps.setBigDecimal(index, new BigDecimal(value.toString()));
        } else if (value instanceof byte[] bytes) {
            ps.setBytes(index, bytes);
        } else if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            ps.setBytes(index, bytes);
        } else if (value instanceof Collection<?> || value instanceof Map<?, ?>) {
            ps.setString(index, json(value, column));
        } else {
            ps.setObject(index, value);
        }
    }

    private static String utc(Instant instant) {
        return DATETIME.format(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    private static String json(Object value, SourceColumn column) throws SQLException {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new SQLException("Cannot write column " + column.name() + " as JSON: " + e.getMessage(), e);
        }
    }
}
