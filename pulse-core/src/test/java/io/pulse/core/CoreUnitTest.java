package io.pulse.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoreUnitTest {

    @Test
    void namesFollowTheSpecRule() {
        assertThat(Names.isValid("a")).isTrue();
        assertThat(Names.isValid("pool:events\twith-tab")).isTrue();
        assertThat(Names.isValid("é".repeat(512))).isTrue();
        assertThat(Names.isValid("x".repeat(513))).isFalse();
        assertThat(Names.isValid("")).isFalse();
        assertThat(Names.isValid(null)).isFalse();
        for (String bad : List.of("a b", "a\0b", "a*", "a?", "[a", "a]")) {
            assertThat(Names.isValid(bad)).as(bad).isFalse();
        }
        assertThatThrownBy(() -> Names.requireValid("map", "in*valid"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("map").hasMessageContaining("in*valid");
        assertThatThrownBy(() -> Names.requireValid("stream", null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("stream");
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
