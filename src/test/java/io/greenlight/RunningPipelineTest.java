package io.greenlight;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RunningPipelineTest {

    private final List<String> closed = new ArrayList<>();

    private AutoCloseable part(String name) {
        return () -> closed.add(name);
    }

    @Test
    void closesItsPartsInTheReverseOrderOfTheirStart() {
        RunningPipeline run = new RunningPipeline();
        run.started("retention", null, part("retention"));
        run.started("producer", null, part("producer"));
        run.started("heartbeat", null, part("heartbeat"));

        run.close();

        assertEquals(List.of("heartbeat", "producer", "retention"), closed);
    }

    @Test
    void aPartWhoseCloseThrowsDoesNotKeepThePartsStartedBeforeItRunning() {
        RunningPipeline run = new RunningPipeline();
        run.started("apply", null, part("apply"));
        run.started("producer", null, () -> {
            closed.add("producer");
            throw new IllegalStateException("the broker is gone");
        });
        run.started("heartbeat", null, () -> {
            throw new RuntimeException("the source is gone");
        });

        run.close();

        assertEquals(List.of("producer", "apply"), closed);
    }

    @Test
    void eachPartIsClosedOnceAlsoWhenCaptureWasStoppedAloneBefore() {
        RunningPipeline run = new RunningPipeline();
        run.started("producer", null, part("producer"));
        run.started(RunningPipeline.CAPTURE, null, part("capture"));
        run.started("heartbeat", null, part("heartbeat"));

        assertEquals(true, run.closeCapture());
        assertEquals(false, run.closeCapture());
        run.close();
        run.close();

        assertEquals(List.of("capture", "heartbeat", "producer"), closed);
    }
}
