package io.greenlight.apply;

import io.greenlight.schema.TableId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a paused table's unapplied changes come close to Kafka's retention, the operator is told in time. */
class RetentionWatchTest {

    private static final TableId PRICES = new TableId("public", "prices");
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long T0 = 1_000_000_000_000L;
    private static final TablePauses.Pause PAUSE = new TablePauses.Pause(PRICES, "cause", Instant.ofEpochMilli(T0), false, false, T0);

    private final RetentionWatch watch = new RetentionWatch(Duration.ofDays(7), t -> "shop." + t);

    @Test
    void nothingIsSaidBeforeHalfTheRetention() {
        assertEquals(List.of(), watch.check(List.of(PAUSE), T0 + 3 * DAY));
    }

    @Test
    void atHalfTheRetentionItWarnsOnceNamingTableTopicTimeLeftAndBothRemedies() {
        List<String> warnings = watch.check(List.of(PAUSE), T0 + 4 * DAY);
        assertEquals(1, warnings.size());
        String warning = warnings.get(0);
        assertTrue(warning.startsWith("Table public.prices is paused and its oldest unapplied change is 4 d 0 h old; "
                + "Kafka topic shop.public.prices deletes changes after 7 d 0 h (greenlight.kafka.retention), i.e. in about 3 d 0 h."), warning);
        assertTrue(warning.contains("POST /tables/public.prices/resume"), warning);
        assertTrue(warning.contains("POST /tables/public.prices/recopy"), warning);
        assertEquals(List.of(), watch.check(List.of(PAUSE), T0 + 5 * DAY), "once per threshold");
    }

    @Test
    void inTheLastTenthItWarnsAgain() {
        watch.check(List.of(PAUSE), T0 + 4 * DAY);
        List<String> warnings = watch.check(List.of(PAUSE), T0 + 7 * DAY - DAY / 2);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("in about 12 h 0 min"), warnings.get(0));
    }

    @Test
    void unlimitedRetentionNeverWarns() {
        assertEquals(List.of(), new RetentionWatch(Duration.ofMillis(-1), t -> "x").check(List.of(PAUSE), T0 + 365 * DAY));
    }
}
