package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A work queue: instances of one sink (same sink name, here three worker processes) share a stream's
 * events, each event going to one of them. An instance that dies with an event unacknowledged does
 * not lose it: after the ack grace period a live instance re-claims it.
 */
public final class WorkQueue {

    private static final int IMAGES = 12;

    private WorkQueue() {
    }

    public static void main(String[] args) {
        Examples.main(WorkQueue::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("uploads");
        String sinkName = Examples.unique("thumbnails");
        Map<String, String> doneBy = new ConcurrentHashMap<>();
        List<String> deliveries = new CopyOnWriteArrayList<>();
        List<PulseRedis> workers = new ArrayList<>();
        try (PulseRedis uploader = PulseRedis.connect(redisUri)) {
            Stream uploads = Stream.open(name, uploader);

            // three worker processes open an instance of the same sink; the first creates its group
            List<Sink> instances = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                PulseRedis redis = PulseRedis.connect(redisUri);
                workers.add(redis);
                instances.add(Stream.open(name, redis).sink(sinkName)
                        .ackGracePeriod(Duration.ofSeconds(1)) // every instance of a sink uses the same value
                        .blockDuration(Duration.ofMillis(500))
                        .bufferSize(1) // take one event at a time, leaving the next to an idle instance
                        .open());
            }
            out.println("3 instances of sink '" + sinkName + "' share the stream '" + name + "'");

            // worker-3 takes the first upload and dies before acknowledging it
            uploads.add("image.uploaded", Examples.utf8("image-00"));
            Sink doomed = instances.get(2);
            List<Event> taken = doomed.read();
            out.println("worker-3 took " + Examples.text(taken.get(0).payload()) + " and crashed before its ack");
            workers.get(2).close(); // closes the instance; its event stays pending in Redis

            // the two others handle uploads push-style and acknowledge each one once done
            for (int i = 0; i < 2; i++) {
                String worker = "worker-" + (i + 1);
                Sink sink = instances.get(i);
                sink.subscribe(event -> {
                    String image = Examples.text(event.payload());
                    deliveries.add(image);
                    Examples.sleep(Duration.ofMillis(40)); // making the thumbnail
                    sink.ack(event);
                    doneBy.put(image, worker);
                    out.printf("  %s made the thumbnail of %s%s%n", worker, image,
                            image.equals("image-00") ? " (re-claimed from worker-3 after the grace period)" : "");
                });
            }
            for (int i = 1; i < IMAGES; i++) {
                uploads.add("image.uploaded", Examples.utf8(String.format("image-%02d", i)));
            }
            out.println("added " + (IMAGES - 1) + " more uploads");

            Examples.await(Duration.ofSeconds(10), () -> doneBy.size() == IMAGES);
            workers.forEach(PulseRedis::close);
            uploads.destroy();
            Examples.deleteKeysContaining(uploader, name);
            Examples.deleteKeysContaining(uploader, sinkName);
        } finally {
            workers.forEach(PulseRedis::close);
        }

        Map<String, Integer> perWorker = new TreeMap<>();
        doneBy.values().forEach(w -> perWorker.merge(w, 1, Integer::sum));
        out.println("thumbnails per worker: " + perWorker);
        boolean allOnce = doneBy.size() == IMAGES && deliveries.size() == IMAGES;
        out.println("all " + IMAGES + " uploads handled, each by one worker, none lost: " + allOnce);
        boolean ok = allOnce && perWorker.size() == 2;
        out.println(ok ? "work queue: all checks passed" : "work queue: FAILED");
        return ok ? 0 : 1;
    }
}
