package io.greenlight.kafka;

import io.greenlight.schema.TableId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Topic names follow Debezium's, so apply reads what capture writes, whatever the table is called. */
class TopicNamesTest {

    private final TopicNames names = new TopicNames("shop");

    @Test
    void plainNamesKeepTheirCase() {
        assertEquals("shop.public.Orders", names.table(new TableId("public", "Orders")));
    }

    @Test
    void charactersKafkaRefusesBecomeUnderscores() {
        assertEquals("shop.public.Order_Items__DROP_TABLE_x", names.table(new TableId("public", "Order Items; DROP TABLE x")));
        assertEquals("shop.public.quo_te_back", names.table(new TableId("public", "quo\"te`back")));
        assertEquals("shop.public.t_st", names.table(new TableId("public", "tëst")));
    }

    @Test
    void tablesDifferingOnlyInCaseGetTheirOwnTopics() {
        assertDoesNotThrow(() -> names.refuseCollisions(List.of(new TableId("public", "CamelCase"), new TableId("public", "camelcase"))));
    }

    @Test
    void tablesThatWouldShareATopicAreRefusedNamingBoth() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> names.refuseCollisions(List.of(new TableId("public", "a b"), new TableId("public", "a_b"), new TableId("public", "c"))));
        assertTrue(e.getMessage().contains("\"public\".\"a b\" and \"public\".\"a_b\" would share the Kafka topic shop.public.a_b"),
                e.getMessage());
    }
}
