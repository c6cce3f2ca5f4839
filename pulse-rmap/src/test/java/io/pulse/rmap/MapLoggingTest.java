package io.pulse.rmap;

import static io.pulse.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulse.testing.RedisServerExtension;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.LoggingEvent;
import org.slf4j.spi.LoggingEventAware;

/** What a map logs: join, set, delete, reset and close, each with the map's name and key. */
@Timeout(120)
class MapLoggingTest extends MapTestSupport {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    RedisServerExtension redis() {
        return REDIS;
    }

    @Test
    void logsTellJoinSetDeleteResetAndClose() {
        RecordingLogger recording = new RecordingLogger();
        String name = RedisServerExtension.uniqueName("logs");
        ReplicatedMap map = ReplicatedMap.builder(name, redis).logger(recording.logger()).join();
        try {
            map.reset();
            map.set("foo", "bar");
            map.delete("foo");
            map.setAndWait("foo", "bar");
            map.reset();
            eventually().untilAsserted(() -> assertThat(map.snapshot()).isEmpty());
        } finally {
            map.close();
        }
        eventually().untilAsserted(() -> assertThat(recording.lines).anyMatch(l -> l.endsWith(" closed")));
        List<String> lines = recording.lines;
        assertThat(lines).anyMatch(l -> l.contains("map=" + name) && l.endsWith(" joined"));
        assertThat(lines).anyMatch(l -> l.contains("key=foo") && l.endsWith(" set"));
        assertThat(lines).anyMatch(l -> l.contains("key=foo") && l.endsWith(" deleted"));
        assertThat(lines).anyMatch(l -> l.endsWith(" reset"));
        assertThat(lines.get(lines.size() - 1)).contains("map=" + name).endsWith(" closed");
    }

    /** An SLF4J logger, enabled at every level, that keeps each entry as "k=v k=v message". */
    private static final class RecordingLogger implements InvocationHandler {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Logger logger() {
            return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
                    new Class<?>[] {Logger.class, LoggingEventAware.class}, this);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.startsWith("is") && name.endsWith("Enabled")) {
                return true;
            }
            if (name.equals("log") && args != null && args.length == 1 && args[0] instanceof LoggingEvent event) {
                StringBuilder line = new StringBuilder();
                if (event.getKeyValuePairs() != null) {
                    for (KeyValuePair kv : event.getKeyValuePairs()) {
                        line.append(kv.key).append('=').append(kv.value).append(' ');
                    }
                }
                lines.add(line.append(event.getMessage()).toString());
                return null;
            }
            switch (name) {
                case "getName":
                    return "recording";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                case "toString":
                    return "RecordingLogger";
                default:
                    break;
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (args != null && args.length > 0) {
                Object message = args[0] instanceof Marker && args.length > 1 ? args[1] : args[0];
                lines.add(" " + message);
            }
            return null;
        }
    }
}
