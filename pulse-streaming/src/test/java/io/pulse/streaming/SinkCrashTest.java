package io.pulse.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events read by a sink instance that dies abruptly reach a live instance after the grace period. */
class SinkCrashTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration GRACE = Duration.ofSeconds(1);

    @Test
    void eventsReadByAnInstanceKilledWithSigkillAreDeliveredToTheSurvivorExactlyOnce() throws Exception {
        PulseRedis redis = REDIS.newPulseRedis();
        String name = RedisServerExtension.uniqueName("crash");
        Stream stream = Stream.builder(name, redis).maxLen(0).open();
        for (int i = 0; i < 10; i++) {
            stream.add("e", new byte[] {(byte) i});
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process victim = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SinkProcess.class.getName(), REDIS.uri(), name, "work", Long.toString(GRACE.toMillis()), "4")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8));
            List<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("READ ")) {
                            return Arrays.asList(line.substring(5).trim().split(" "));
                        }
                    }
                    return List.<String>of();
                } catch (java.io.IOException e) {
                    return List.<String>of();
                }
            }).get(60, TimeUnit.SECONDS);
            assertThat(held).hasSize(4);
            victim.destroyForcibly();
            victim.waitFor(10, TimeUnit.SECONDS);
            long killedAt = System.nanoTime();

            // the survivor opens after the kill, so it can only get the held events by re-claiming them
            Sink survivor = stream.sink("work").blockDuration(Duration.ofMillis(200)).ackGracePeriod(GRACE)
                    .claimPeriod(Duration.ofMillis(100)).open();
            Map<String, Integer> received = new ConcurrentHashMap<>();
            survivor.subscribe(e -> {
                received.merge(e.id(), 1, Integer::sum);
                survivor.ack(e);
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> received.keySet().containsAll(held));
            Duration redelivery = Duration.ofNanos(System.nanoTime() - killedAt);
            // the six events nobody read are delivered too, and nothing twice
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 10);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                    .until(() -> received.values().stream().allMatch(n -> n == 1));
            System.out.printf("events held by the killed instance redelivered after %d ms (grace %d ms)%n",
                    redelivery.toMillis(), GRACE.toMillis());
            assertThat(new HashMap<>(received).keySet()).containsAll(held);
            survivor.close();
        } finally {
            victim.destroyForcibly();
        }
    }
}
