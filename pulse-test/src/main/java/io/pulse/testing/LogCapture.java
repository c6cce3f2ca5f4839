package io.pulse.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies everything written to {@code System.err} (where slf4j-simple logs) from {@link #install()}
 * until {@link #close()}, while still passing it through; thread-safe. Meant for a test that checks
 * what a component logged when it cannot hand the component a logger of its own (see
 * {@link RecordingLogger} for when it can). Captures of one JVM must not overlap: close one before
 * installing the next.
 */
public final class LogCapture extends OutputStream implements AutoCloseable {

    private final PrintStream original;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    private LogCapture(PrintStream original) {
        this.original = original;
    }

    /** Starts copying {@code System.err}; returns the capture to read and close. */
    public static LogCapture install() {
        LogCapture capture = new LogCapture(System.err);
        System.setErr(new PrintStream(capture, true, StandardCharsets.UTF_8));
        return capture;
    }

    @Override
    public synchronized void write(int b) {
        original.write(b);
        copy.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        original.write(b, off, len);
        copy.write(b, off, len);
    }

    /** Everything written so far, decoded as UTF-8. */
    public synchronized String text() {
        return copy.toString(StandardCharsets.UTF_8);
    }

    /** Puts the original {@code System.err} back; what was captured stays readable. */
    @Override
    public void close() {
        System.setErr(original);
    }
}
