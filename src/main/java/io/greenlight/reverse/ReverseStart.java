package io.greenlight.reverse;

import java.util.Map;

/**
 * Where reverse replication starts: the engine's source offset for a reader that sees every change
 * after this point and none before, and how to say it ("mysql-bin.000003:1234", "LSN 0/1A2B3C4").
 */
public record ReverseStart(String description, Map<String, Object> offset) {

    @Override
    public String toString() {
        return description;
    }
}
