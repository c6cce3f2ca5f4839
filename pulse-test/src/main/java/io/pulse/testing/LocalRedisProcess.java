package io.pulse.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} process this JVM started on a free loopback port, with AOF on and
 * {@code appendfsync always} so that a SIGKILL loses nothing acknowledged and {@link #restart()} comes
 * back with the same data on the same port; {@link #restartEmpty()} comes back on the same port with none.
 */
final class LocalRedisProcess implements RedisServer {

    private final Path binary;
    private final String origin;
    private final int port;
    private final Path dir;
    private Process process;
    private final Thread reaper;

    LocalRedisProcess(Path binary, String origin) {
        this.binary = binary;
        this.origin = origin;
        this.port = ProcessHelpers.freeLoopbackPort();
        try {
            this.dir = Files.createTempDirectory("pulse-redis-" + port + "-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a data directory for redis-server", e);
        }
        this.reaper = new Thread(this::destroyQuietly, "pulse-test-redis-reaper-" + port);
        Runtime.getRuntime().addShutdownHook(reaper);
        start();
    }

    private void start() {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--protected-mode", "no",
                "--daemonize", "no",
                "--save", "",
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--dir", dir.toString(),
                "--logfile", dir.resolve("redis.log").toString()));
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary, e);
        }
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir);
            }
            if (answersPing()) {
                return;
            }
            ProcessHelpers.sleep(20);
        }
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within 20 s");
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public String description() {
        return origin + " (" + binary + ") on port " + port;
    }

    @Override
    public boolean controllable() {
        return true;
    }

    @Override
    public synchronized void kill() {
        ProcessHelpers.killAndWait(process);
    }

    @Override
    public synchronized void restart() {
        kill();
        start();
    }

    @Override
    public synchronized void restartEmpty() {
        kill();
        deleteData();
        start();
    }

    /** Deletes the AOF and RDB files (everything but the logs) so the next start has no data. */
    private void deleteData() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .filter(f -> !f.equals(dir) && !f.getFileName().toString().endsWith(".log"))
                    .forEach(f -> {
                        try {
                            Files.delete(f);
                        } catch (IOException e) {
                            throw new IllegalStateException("cannot delete " + f + " before an empty restart", e);
                        }
                    });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }

    @Override
    public synchronized void pause() {
        signal("-STOP");
    }

    @Override
    public synchronized void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " failed for redis-server " + process.pid());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot send " + signal + " to redis-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        destroyQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }

    private synchronized void destroyQuietly() {
        if (process != null && process.isAlive()) {
            try {
                signal("-CONT");
            } catch (RuntimeException e) {
                // it may already be gone
            }
            kill();
        }
    }
}
