package io.greenlight.testing;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mysql.MySQLContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Containers shared by the Testcontainers variants of the suites (started the first time one asks,
 * removed when the JVM exits). Those variants carry {@code @Testcontainers(disabledWithoutDocker = true)}
 * or check {@link #dockerAvailable()}: where Docker is missing they are skipped, never failed.
 */
public final class Containers {

    private static MySQLContainer mysql;
    private static KafkaContainer kafka;

    private Containers() {
    }

    public static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /**
     * MySQL 8 (the LTS line), strict mode and row-alias upserts as in production. Its port is fixed
     * on the host, so that a test may stop and start the container ({@link MySql8Target#stopProcess})
     * and clients find it at the same address again.
     */
    public static synchronized MySQLContainer mysql8() {
        if (mysql == null) {
            int port = freePort();
            MySQLContainer container = new MySQLContainer("mysql:8.4")
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(new PortBinding(
                            Ports.Binding.bindPort(port), new ExposedPort(MySQLContainer.MYSQL_PORT))));
            container.start();
            mysql = container;
        }
        return mysql;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Kafka broker (KRaft, the version the project builds against): the external cluster the design allows. */
    public static synchronized KafkaContainer kafka() {
        if (kafka == null) {
            KafkaContainer container = new KafkaContainer("apache/kafka:4.1.2");
            container.start();
            kafka = container;
        }
        return kafka;
    }
}
