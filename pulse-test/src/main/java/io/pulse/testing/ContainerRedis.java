package io.pulse.testing;

import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The last resort for a test Redis: a {@code redis:7.0} container, when a Docker engine answers. Kept
 * in a class of its own so that code without Testcontainers on its classpath never loads it.
 */
final class ContainerRedis {

    private ContainerRedis() {
    }

    static Optional<RedisServer> startIfDockerAnswers() {
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return Optional.empty();
            }
        } catch (Throwable t) {
            return Optional.empty();
        }
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("redis:7.0")).withExposedPorts(6379);
        container.start();
        String uri = "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
        return Optional.of(new FixedRedis(uri, "a redis:7.0 container", container::stop));
    }
}
