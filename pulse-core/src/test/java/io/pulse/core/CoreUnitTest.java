package io.pulse.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulse.core.internal.Args;
import io.pulse.core.internal.Backoff;
import io.pulse.core.internal.BoundedDispatcher;
import io.pulse.core.internal.Names;
import io.pulse.core.internal.Ulid;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoreUnitTest {

    @Test
    void pulseRedisShowsOnlyItsDocumentedMethods() {
        Set<String> methods = new TreeSet<>();
        for (Method m : PulseRedis.class.getMethods()) {
            if (m.getDeclaringClass() == PulseRedis.class) {
                methods.add(m.getName());
            }
        }
        assertThat(methods).containsExactly("addEventListener", "builder", "close", "cluster", "clusterBuilder",
                "connect", "isClosed", "isConnected", "layout", "of", "rawCommand");
    }

    @Test
    void namesFollowTheSpecRule() {
        assertThat(Names.isValid("a")).isTrue();
        assertThat(Names.isValid("pool:events:with-colons")).isTrue();
        assertThat(Names.isValid("emoji-\uD83D\uDE00")).isTrue();
        assertThat(Names.isValid("é".repeat(512))).isTrue();
        assertThat(Names.isValid("x".repeat(513))).isFalse();
        assertThat(Names.isValid("")).isFalse();
        assertThat(Names.isValid(null)).isFalse();
        for (String bad : List.of("a b", "a\0b", "a*", "a?", "[a", "a]", "tab\there", "new\nline", "cr\r",
                "lone-\uD83D", "lone-\uDE00-low")) {
            assertThat(Names.isValid(bad)).as(bad).isFalse();
        }
        assertThatThrownBy(() -> Names.requireValid("map", "in*valid"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("map").hasMessageContaining("in*valid");
        assertThatThrownBy(() -> Names.requireValid("stream", null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("stream");
    }

    @Test
    void nameAndValueErrorsShowControlCharactersAndLoneSurrogatesReadably() {
        assertThatThrownBy(() -> Names.requireValid("map", "a\tb"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a\\u0009b");
        assertThat(Names.isWellFormed("ok-\uD83D\uDE00")).isTrue();
        assertThatThrownBy(() -> Names.requireWellFormed("key", "bad\uD800"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key").hasMessageContaining("bad\\ud800");
        assertThatThrownBy(() -> Names.requireWellFormed("key", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void durationsOutsideTheirRangeAreRejectedNamingTheArgument() {
        assertThatThrownBy(() -> Args.ttl("ttl", Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl").hasMessageContaining("1 ms");
        assertThatThrownBy(() -> Args.ttl("ttl", Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> Args.positive("blockDuration", Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockDuration");
        assertThat(Args.ttl("ttl", Duration.ZERO)).isZero();
        assertThat(Args.ttl("ttl", Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        assertThat(Args.ttl("ttl", Args.MAX_DURATION)).isEqualTo(Args.MAX_DURATION);
    }

    @Test
    void redisUrisAreRedactedBeforeTheyArePrintedOrLogged() {
        assertThat(RedisUris.redact("redis://localhost:6379")).isEqualTo("redis://localhost:6379");
        assertThat(RedisUris.redact("redis://alice:s3cret@localhost:6379/0")).isEqualTo("redis://alice:***@localhost:6379/0");
        assertThat(RedisUris.redact("rediss://:s3cret@host")).isEqualTo("rediss://:***@host");
        assertThat(RedisUris.redact("redis://s3cret@host")).isEqualTo("redis://***@host");
        assertThat(RedisUris.redact("redis://u:p@ss/w@rd@host:1")).isEqualTo("redis://u:***@host:1");
        assertThat(RedisUris.redact("redis-sentinel://s3cret@h1:26379,h2:26379/0?sentinelMasterId=m"))
                .isEqualTo("redis-sentinel://***@h1:26379,h2:26379/0?sentinelMasterId=m");
        assertThat(RedisUris.redact("redis://host?password=s3cret&timeout=1s")).isEqualTo("redis://host?password=***&timeout=1s");
        assertThatThrownBy(() -> PulseRedis.connect("redis://alice:s3cret@bad host:notaport"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret").contains("alice:***@"))
                .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain("s3cret"));
        // a refused connection: nothing in the exception chain shows the password either
        assertThatThrownBy(() -> PulseRedis.connect("redis://alice:s3cret@127.0.0.1:1"))
                .isInstanceOf(NotSentException.class)
                .satisfies(e -> {
                    java.io.StringWriter trace = new java.io.StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(trace));
                    assertThat(trace.toString()).doesNotContain("s3cret");
                });
    }

    @Test
    void ulidsAreTwentySixCharsAndSortInCreationOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(Ulid.next());
        }
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        assertThat(sorted).isEqualTo(ids);
        assertThat(ids).allMatch(id -> id.matches("[0-9A-HJKMNP-TV-Z]{26}"));
        assertThat(ids.stream().distinct().count()).isEqualTo(ids.size());
        long now = System.currentTimeMillis();
        assertThat(Ulid.timestampMillis(ids.get(0))).isBetween(now - 60_000, now);
    }

    @Test
    void backoffStaysWithinBoundsAndGrows() {
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(200));
        Duration max = Duration.ZERO;
        for (int i = 0; i < 50; i++) {
            Duration d = backoff.next();
            assertThat(d).isBetween(Duration.ofMillis(10), Duration.ofMillis(200));
            max = d.compareTo(max) > 0 ? d : max;
        }
        assertThat(max).isGreaterThan(Duration.ofMillis(20));
        backoff.reset();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(10));
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dispatcherDeliversInOrderAndCollapsesAnOverflowToOneMarker() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch gate = new CountDownLatch(1);
            List<Integer> got = new CopyOnWriteArrayList<>();
            BoundedDispatcher<Integer> dispatcher = new BoundedDispatcher<>(executor, 5, i -> {
                if (i == 0) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                got.add(i);
            }, () -> -1);
            dispatcher.offer(0);
            // wait until 0 is being delivered (queue empty), then overflow the queue
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (dispatcher.backlog() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            for (int i = 1; i <= 8; i++) {
                dispatcher.offer(i);
            }
            dispatcher.offer(9);
            gate.countDown();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (got.size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            // 1..5 filled the queue, 6 overflowed it into the marker, then 7, 8, 9 follow in order
            assertThat(got).containsExactly(0, -1, 7, 8, 9);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void dispatcherSurvivesACallbackThatThrows() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            List<Integer> got = new CopyOnWriteArrayList<>();
            BoundedDispatcher<Integer> dispatcher = new BoundedDispatcher<>(executor, 10, i -> {
                if (i == 1) {
                    throw new IllegalStateException("boom");
                }
                got.add(i);
            }, () -> -1);
            dispatcher.offer(1);
            dispatcher.offer(2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (got.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(got).containsExactly(2);
        } finally {
            executor.shutdownNow();
        }
    }
}
