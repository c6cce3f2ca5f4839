package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A producer adds events to a stream and a reader reads them. A reader is a cursor of its own: it
 * sees every event after its start position, acknowledges nothing and leaves no state in Redis.
 */
public final class SingleReader {

    private SingleReader() {
    }

    public static void main(String[] args) {
        Examples.main(SingleReader::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("page-views");
        List<String> received = new ArrayList<>();
        try (PulseRedis redis = PulseRedis.connect(redisUri)) {
            // a stream handle is cheap and does no I/O; the Redis stream appears with the first event
            Stream views = Stream.builder(name, redis).maxLen(10_000).open();
            for (String page : List.of("/home", "/pricing", "/docs")) {
                String id = views.add("page.viewed", Examples.utf8(page));
                out.println("added page.viewed " + page + " as " + id);
            }

            // start at the oldest event: this reader also gets the three events added before it existed
            // (the default start, newest, would see only events added after open())
            try (Reader reader = views.reader().startAtOldest().blockDuration(Duration.ofMillis(500)).open()) {
                read(reader, out, received);

                views.add("page.viewed", Examples.utf8("/signup"));
                views.add("page.viewed", Examples.utf8("/welcome"));
                // read() blocks until events come or the block duration passes
                read(reader, out, received);

                List<Event> none = reader.read();
                out.println("read again: " + none.size() + " events after waiting 500 ms, as nothing new came");
            }
            views.destroy();
            Examples.deleteKeysContaining(redis, name);
        }
        boolean ok = received.equals(List.of("/home", "/pricing", "/docs", "/signup", "/welcome"));
        out.println("the reader got " + received.size() + " events in order: " + ok);
        out.println(ok ? "single reader: all checks passed" : "single reader: FAILED");
        return ok ? 0 : 1;
    }

    private static void read(Reader reader, PrintStream out, List<String> received) {
        List<Event> events = reader.read();
        out.println("read " + events.size() + " events:");
        for (Event e : events) {
            String page = Examples.text(e.payload());
            received.add(page);
            out.printf("  %s %s %s (added at %s)%n", e.id(), e.eventName(), page, e.createdAt());
        }
    }
}
