package io.pulse.examples;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.pulse.core.PulseRedis;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The little plumbing every example shares, kept out of the examples so that they show only Pulse:
 * a {@code main} that finds a Redis, throw-away names, waiting for a condition, and removing what
 * a run left in Redis.
 */
final class Examples {

    /** The body of an example: prints what happens on {@code out}, returns the process exit code. */
    @FunctionalInterface
    interface Example {
        int run(PrintStream out, String redisUri);
    }

    private Examples() {
    }

    /**
     * Runs {@code example} against the Redis {@link DemoRedis} finds (or starts, and stops again), then
     * exits the JVM with its code.
     */
    static void main(Example example) {
        int exit;
        try (DemoRedis redis = DemoRedis.obtain(System.out)) {
            exit = example.run(System.out, redis.uri());
        } catch (RuntimeException e) {
            e.printStackTrace();
            exit = 1;
        }
        System.exit(exit);
    }

    /**
     * A name no other run uses, such as {@code orders-3fa2c1}: examples may run side by side on one
     * Redis (or next to real data), so none of them touches a fixed name.
     */
    static String unique(String base) {
        return base + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
    }

    /** Waits until {@code condition} holds, at most {@code timeout}; returns whether it did. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(Duration.ofMillis(20));
        }
        return true;
    }

    /** Sleeps, as the stand-in for real work in handlers. */
    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The UTF-8 bytes of {@code text}: payloads are bytes on the wire. */
    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The text of UTF-8 {@code bytes}. */
    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Deletes every Redis key whose name contains {@code tag} (the random suffix of a run's names);
     * returns how many there were. Call it once everything is closed. {@code destroy()} and
     * {@code shutdown()} already empty maps and streams, but a replicated map keeps a tombstone with
     * its last revision so that replicas stay ordered should the map be used again: right for a map
     * that lives on, clutter for a name no one will use again. It uses the facade's escape hatch for
     * raw commands ({@code SCAN} and {@code DEL}), which Pulse itself has no call for.
     */
    static long deleteKeysContaining(PulseRedis redis, String tag) {
        ScanArgs match = ScanArgs.Builder.matches("*" + tag + "*").limit(500);
        List<byte[]> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            ScanCursor from = cursor;
            KeyScanCursor<byte[]> page = await(redis.rawCommand(c -> c.scan(from, match)));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        if (keys.isEmpty()) {
            return 0;
        }
        Long deleted = await(redis.rawCommand(c -> c.del(keys.toArray(new byte[0][]))));
        return deleted == null ? 0 : deleted;
    }

    /** The result of a raw command, waiting at most 10 s. */
    private static <T> T await(CompletableFuture<T> command) {
        return command.orTimeout(10, TimeUnit.SECONDS).join();
    }
}
