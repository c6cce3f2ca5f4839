package io.pulse.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * What the servers and faults of this package need from the machine: a free loopback port, a pause,
 * a process killed.
 * Stateless.
 */
final class ProcessHelpers {

    private ProcessHelpers() {
    }

    /** A loopback port no socket listens on right now (another process may take it before the caller does). */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Sleeps; an interrupt ends the sleep with an exception and keeps the thread's interrupt flag. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGKILLs {@code process} if it runs (null: nothing) and waits up to 10 s until it is gone. */
    static void killAndWait(Process process) {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
