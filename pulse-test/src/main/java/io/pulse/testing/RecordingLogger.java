package io.pulse.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J logger, all levels on, that keeps every line it is given so that a test can count what a
 * component logged (pass it to the component's {@code logger(..)} option). Thread-safe.
 */
public final class RecordingLogger extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    /** One logged line: its level, its formatted message (key-value pairs included) and its throwable. */
    public record Line(Level level, String message, Throwable throwable) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    public RecordingLogger() {
        this.name = "recording";
    }

    /** Every line so far, oldest first. */
    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The lines at {@code level} whose message contains {@code text}. */
    public List<Line> lines(Level level, String text) {
        return lines.stream().filter(l -> l.level() == level && l.message().contains(text)).toList();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
            Throwable throwable) {
        lines.add(new Line(level, MessageFormatter.basicArrayFormat(messagePattern, arguments), throwable));
    }

    @Override
    public boolean isTraceEnabled() {
        return true;
    }

    @Override
    public boolean isDebugEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }
}
