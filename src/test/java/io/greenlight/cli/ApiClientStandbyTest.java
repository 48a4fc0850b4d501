package io.greenlight.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behind a Service the CLI may reach a standby, which answers 503 "Standby": it tries again on a
 * new connection (which the Service may send to the leader), and reports the standby's answer
 * when it never reaches the leader. Other 503 answers are reported at once.
 */
class ApiClientStandbyTest {

    private static HttpServer server(int standbyAnswers, String error, AtomicInteger calls) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cutover", exchange -> {
            boolean standby = calls.incrementAndGet() <= standbyAnswers;
            byte[] body = (standby ? "{\"error\":\"" + error + "\",\"detail\":\"This instance (b) is a STANDBY; the leader is a.\"}"
                    : "{\"id\":\"c1\",\"state\":\"ARMED\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(standby ? 503 : 202, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void aStandbysAnswerIsRetriedUntilTheLeaderAnswers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = server(3, "Standby", calls);
        try {
            ApiClient client = new ApiClient("http://127.0.0.1:" + server.getAddress().getPort(), Optional.empty());
            ApiClient.Response armed = client.call("POST", "/cutover", ApiClient.JSON.createObjectNode(), 503);
            assertEquals(202, armed.status());
            assertEquals(4, calls.get());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anotherUnavailableAnswerIsReportedAtOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = server(100, "Service Unavailable", calls);
        try {
            ApiClient client = new ApiClient("http://127.0.0.1:" + server.getAddress().getPort(), Optional.empty());
            ApiException e = assertThrows(ApiException.class, () -> client.call("POST", "/cutover", ApiClient.JSON.createObjectNode()));
            assertEquals(503, e.status());
            assertEquals(1, calls.get());
            assertTrue(e.getMessage().contains("the leader is a"), e.getMessage());
        } finally {
            server.stop(0);
        }
    }
}
