package io.pulse.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code redis-server} (or {@code redis-sentinel}) process of a test cluster, on a loopback port
 * with a directory of its own; killed with SIGKILL on {@link #kill()} or when the JVM exits. Not
 * thread-safe; the extensions that own them serialise their use.
 */
final class ServerProcess implements AutoCloseable {

    private final Path binary;
    private final int port;
    private final Path dir;
    private final List<String> arguments;
    private final Thread reaper;
    private Process process;

    /**
     * @param arguments what follows the binary, after {@code --port} and {@code --dir}; {@code config}
     *        (may be null) is written to {@code redis.conf} in the directory and passed first
     */
    ServerProcess(Path binary, int port, String config, List<String> arguments) {
        this.binary = binary;
        this.port = port;
        this.arguments = List.copyOf(arguments);
        try {
            this.dir = Files.createTempDirectory("pulse-node-" + port + "-");
            if (config != null) {
                Files.writeString(dir.resolve("redis.conf"), config);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for the process on port " + port, e);
        }
        this.reaper = new Thread(this::kill, "pulse-test-reaper-" + port);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the process (again, after {@link #kill()}) and returns once its port accepts connections. */
    void start() {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        if (Files.exists(dir.resolve("redis.conf"))) {
            command.add(dir.resolve("redis.conf").toString());
        }
        command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--protected-mode", "no",
                "--daemonize", "no", "--dir", dir.toString(), "--logfile", dir.resolve("server.log").toString()));
        command.addAll(arguments);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(binary + " on port " + port + " exited with " + process.exitValue()
                        + "; see " + dir);
            }
            try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Waits.sleep(20);
            }
        }
        throw new IllegalStateException(binary + " on port " + port + " did not listen within 20 s");
    }

    /** Freezes ({@code -STOP}) or thaws ({@code -CONT}) the process: connections stay open, nothing answers. */
    void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " failed for " + process.pid());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot send " + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGKILLs the process (a resumed one first) and waits until it is gone. */
    void kill() {
        ProcessHelpers.killAndWait(process);
    }

    @Override
    public void close() {
        kill();
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

    /**
     * {@code count} free loopback ports such that each port plus {@code offset} is free too (a cluster
     * node's bus listens on its port + 10000; 0 for none).
     */
    static List<Integer> freePorts(int count, int offset) {
        List<Integer> ports = new ArrayList<>(count);
        List<ServerSocket> held = new ArrayList<>();
        try {
            while (ports.size() < count) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                int port = socket.getLocalPort();
                if (offset == 0) {
                    ports.add(port);
                } else if (port + offset < 65536) {
                    try {
                        held.add(new ServerSocket(port + offset, 1, InetAddress.getLoopbackAddress()));
                        ports.add(port);
                    } catch (IOException taken) {
                        // try another
                    }
                }
            }
            return ports;
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // ignored
                }
            }
        }
    }
}
