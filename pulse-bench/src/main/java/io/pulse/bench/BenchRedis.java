package io.pulse.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pulse.core.RedisUris;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Redis the benchmarks run against: the one named by {@code PULSE_REDIS_URL}, else one already
 * answering on {@code redis://127.0.0.1:6379}, else a throw-away {@code redis-server} from the
 * {@code PATH}, started on a free port without persistence and stopped by {@link #close()}.
 */
final class BenchRedis implements AutoCloseable {

    static final String ENV_URL = "PULSE_REDIS_URL";
    private static final String DEFAULT_URL = "redis://127.0.0.1:6379";

    private final String url;
    private final String origin;
    private final Process process;
    private final Path logFile;

    private BenchRedis(String url, String origin, Process process, Path logFile) {
        this.url = url;
        this.origin = origin;
        this.process = process;
        this.logFile = logFile;
    }

    /** The URL every client of the run connects to. */
    String url() {
        return url;
    }

    /** Where the server came from, for the report. */
    String origin() {
        return origin;
    }

    /** Finds or starts the Redis to use; fails if none can be had. */
    static BenchRedis acquire() throws IOException, InterruptedException {
        String fromEnv = System.getenv(ENV_URL);
        if (fromEnv != null && !fromEnv.isBlank()) {
            if (!answers(fromEnv, Duration.ofSeconds(5))) {
                throw new IllegalStateException(ENV_URL + "=" + RedisUris.redact(fromEnv) + " does not answer PING");
            }
            return new BenchRedis(fromEnv, "from " + ENV_URL, null, null);
        }
        if (answers(DEFAULT_URL, Duration.ofSeconds(1))) {
            return new BenchRedis(DEFAULT_URL, "already running on the default port", null, null);
        }
        return start();
    }

    private static BenchRedis start() throws IOException, InterruptedException {
        int port = freePort();
        Path log = Files.createTempFile("pulse-bench-redis-", ".log");
        List<String> command = List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--logfile", log.toString());
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IOException("no Redis to use: set " + ENV_URL + ", run one on 127.0.0.1:6379 or put "
                    + "redis-server on the PATH (" + e.getMessage() + ")", e);
        }
        String url = "redis://127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answers(url, Duration.ofMillis(500))) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not start on port " + port + "; see " + log);
            }
            Thread.sleep(50);
        }
        return new BenchRedis(url, "started for this run (redis-server, port " + port + ", no persistence)",
                process, log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Whether a Redis at {@code url} answers PING within about {@code timeout}. */
    static boolean answers(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return "PONG".equals(c.sync().ping());
        } catch (RuntimeException e) {
            return false;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** The server's version string, as INFO reports it. */
    static String version(String url) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (String line : c.sync().info("server").split("\r?\n")) {
                if (line.startsWith("redis_version:")) {
                    return line.substring("redis_version:".length()).trim();
                }
            }
            return "unknown";
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Stops the server if this run started it. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(logFile);
        } catch (IOException e) {
            // a stray temp file is harmless
        }
    }
}
