package io.pulse.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds or starts a Redis for a test class, blocking until it answers; thread-safe. The order: the URI
 * in {@code PULSE_TEST_REDIS}; a {@code redis-server} on the PATH, started on a free port; the Linux
 * binary shipped in {@code com.github.codemonstur:embedded-redis} (when the tests put it on their class
 * path), started the same way; a {@code redis:7.0} container (when {@code org.testcontainers:testcontainers}
 * is on the class path and a Docker engine answers).
 */
public final class RedisServers {

    static final String ENV = "PULSE_TEST_REDIS";

    private static Path extractedBinary;

    private RedisServers() {
    }

    /** Returns the Redis tests should use, starting one if needed (see the class comment). */
    public static RedisServer start() {
        String external = System.getenv(ENV);
        if (external != null && !external.isBlank()) {
            return new FixedRedis(external.trim(), ENV + "=" + external.trim(), null);
        }
        Optional<RedisServer> local = startLocalProcess();
        if (local.isPresent()) {
            return local.get();
        }
        if (testcontainersPresent()) {
            Optional<RedisServer> container = ContainerRedis.startIfDockerAnswers();
            if (container.isPresent()) {
                return container.get();
            }
        }
        throw new IllegalStateException("no Redis for the tests: set " + ENV
                + ", put redis-server on the PATH, add com.github.codemonstur:embedded-redis to the test class path"
                + " (Linux x86-64/arm64), or add org.testcontainers:testcontainers with a Docker engine running");
    }

    /** Testcontainers is an optional dependency: {@link ContainerRedis} must not be loaded without it. */
    private static boolean testcontainersPresent() {
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, RedisServers.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Starts a {@code redis-server} process of this JVM on a free loopback port: the one on the PATH,
     * else the Linux binary of the embedded-redis artifact (if it is on the classpath).
     */
    public static Optional<RedisServer> startLocalProcess() {
        Optional<Path> onPath = findOnPath("redis-server");
        if (onPath.isPresent()) {
            return Optional.of(new LocalRedisProcess(onPath.get(), "redis-server from the PATH"));
        }
        Optional<Path> embedded = embeddedBinary();
        if (embedded.isPresent()) {
            return Optional.of(new LocalRedisProcess(embedded.get(), "redis-server from embedded-redis"));
        }
        return Optional.empty();
    }

    /** Starts the Redis 6.2 binary shipped in embedded-redis, if this platform has one. */
    public static Optional<RedisServer> startEmbedded() {
        return embeddedBinary().map(binary -> new LocalRedisProcess(binary, "redis-server 6.2 from embedded-redis"));
    }

    static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static synchronized Optional<Path> embeddedBinary() {
        if (extractedBinary != null) {
            return Optional.of(extractedBinary);
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return Optional.empty();
        }
        String resource;
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            resource = "/redis-server-6.2.6-v5-linux-amd64";
        } else if (arch.equals("aarch64") || arch.equals("arm64")) {
            resource = "/redis-server-6.2.7-linux-arm64";
        } else {
            return Optional.empty();
        }
        try (InputStream in = RedisServers.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            Path file = Files.createTempFile("pulse-embedded-redis-server-", "");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            if (!file.toFile().setExecutable(true)) {
                return Optional.empty();
            }
            file.toFile().deleteOnExit();
            extractedBinary = file;
            return Optional.of(file);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
