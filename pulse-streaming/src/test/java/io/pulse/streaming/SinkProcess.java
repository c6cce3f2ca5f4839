package io.pulse.streaming;

import io.pulse.core.PulseRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A sink instance in a JVM of its own, for tests that kill it abruptly (SIGKILL). Arguments: Redis
 * URI, stream name, sink name, ack grace period in ms, how many events to read. It reads that many
 * events without acknowledging them, prints {@code READ <ids>}, then runs until killed.
 */
public final class SinkProcess {

    private SinkProcess() {
    }

    public static void main(String[] args) throws Exception {
        PulseRedis redis = PulseRedis.connect(args[0]);
        Sink sink = Stream.open(args[1], redis).sink(args[2]).startAtOldest()
                .ackGracePeriod(Duration.ofMillis(Long.parseLong(args[3]))).blockDuration(Duration.ofMillis(200))
                .maxPolled(Integer.parseInt(args[4])).open();
        System.out.println("OPEN " + sink.consumer());
        System.out.flush();
        List<String> ids = new ArrayList<>();
        while (ids.size() < Integer.parseInt(args[4])) {
            for (Event e : sink.read()) {
                ids.add(e.id());
            }
        }
        System.out.println("READ " + String.join(" ", ids));
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
