package io.pulse.examples;

import io.pulse.core.RedisUris;
import io.pulse.testing.RedisServer;
import io.pulse.testing.RedisServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The Redis an example runs against: the one at {@code PULSE_REDIS_URL}, else one answering on
 * localhost:6379, else a {@code redis-server} this process starts on a free port (from the PATH, or
 * the binary shipped in the embedded-redis artifact) and stops on {@link #close()}.
 */
public final class DemoRedis implements AutoCloseable {

    private final String uri;
    private final RedisServer started;

    private DemoRedis(String uri, RedisServer started) {
        this.uri = uri;
        this.started = started;
    }

    /** Finds or starts a Redis, saying on {@code out} which one it uses (with its password masked). */
    public static DemoRedis obtain(PrintStream out) {
        return obtain(out, System.getenv("PULSE_REDIS_URL"));
    }

    /** As {@link #obtain(PrintStream)}, with {@code configured} in place of {@code PULSE_REDIS_URL}. */
    static DemoRedis obtain(PrintStream out, String configured) {
        if (configured != null && !configured.isBlank()) {
            out.println("Using the Redis at PULSE_REDIS_URL=" + RedisUris.redact(configured.trim()));
            return new DemoRedis(configured.trim(), null);
        }
        if (answersPing("127.0.0.1", 6379)) {
            out.println("Using the Redis already running on localhost:6379");
            return new DemoRedis("redis://127.0.0.1:6379", null);
        }
        Optional<RedisServer> server = RedisServers.startLocalProcess();
        if (server.isEmpty()) {
            throw new IllegalStateException("No Redis found: set PULSE_REDIS_URL, start one on localhost:6379, "
                    + "or install redis-server");
        }
        out.println("No Redis on localhost:6379, so the demo started its own: " + server.get().description());
        return new DemoRedis(server.get().uri(), server.get());
    }

    /** The {@code redis://} URI to connect to. */
    public String uri() {
        return uri;
    }

    /** Stops the server if this demo started it. */
    @Override
    public void close() {
        if (started != null) {
            started.close();
        }
    }

    private static boolean answersPing(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 300);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[16];
            int n = in.read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }
}
