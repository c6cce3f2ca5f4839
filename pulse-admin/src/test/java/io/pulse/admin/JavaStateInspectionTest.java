package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.testing.RedisServerExtension;
import io.pulse.pool.Node;
import io.pulse.pool.Worker;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The command line over pools, streams and maps made by Pulse for Java itself, with exact tables and
 * JSON. Ages are exact because the inspecting clock stands 30 minutes after the state was made (ages
 * past ten minutes are shown in whole minutes) and the components refresh nothing for 5 minutes
 * (worker TTL and ack grace period of 10 minutes); JSON instants are the values Redis holds.
 */
class JavaStateInspectionTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Duration LONG = Duration.ofMinutes(10);
    /** The nodes publish it, and the tool judges them by it: still alive at the test clock, 30 min on. */
    private static final Duration WORKER_TTL = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    static Node node;
    static Node producer;
    static Worker first;
    static Worker second;
    static Stream signups;
    static Sink audit;
    static List<String> eventIds = new ArrayList<>();
    static Instant clockTime;
    static Cli cli;

    @BeforeAll
    static void makeStateWithJavaComponents() {
        node = Node.builder("shop", REDIS.newPulseRedis()).workerTtl(WORKER_TTL).ackGracePeriod(LONG)
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(5)).join();
        first = node.addWorker(new RecordingHandler());
        second = node.addWorker(new RecordingHandler());
        producer = Node.builder("shop", REDIS.newPulseRedis()).workerTtl(WORKER_TTL).ackGracePeriod(LONG)
                .jobSinkBlockDuration(Duration.ofMillis(200)).clientOnly().join();
        for (int i = 1; i <= 4; i++) {
            producer.dispatchJob("order-" + i, "x".repeat(i * 10).getBytes(StandardCharsets.UTF_8));
        }
        node.ticker("hourly", Duration.ofHours(1));

        signups = Stream.open("signups", REDIS.newPulseRedis());
        audit = signups.sink("audit").ackGracePeriod(LONG).maxPolled(2).blockDuration(Duration.ofMillis(500)).open();
        for (int i = 1; i <= 3; i++) {
            eventIds.add(signups.add("user.created", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        List<Event> read = new ArrayList<>();
        while (read.size() < 2) {
            read.addAll(audit.read());
        }
        audit.ack(read.get(0));

        ReplicatedMap flags = ReplicatedMap.join("flags", REDIS.newPulseRedis());
        flags.set("dark-mode", "on");
        flags.set("beta", "off");
        flags.delete("beta");
        ReplicatedMap.join("counters", REDIS.newPulseRedis()).inc("visits", 5);

        clockTime = Instant.now().plus(Duration.ofMinutes(30)).plusSeconds(1);
        cli = new Cli(REDIS.uri(), Clock.fixed(clockTime, ZoneOffset.UTC));
    }

    @AfterAll
    static void leave() {
        audit.close();
        producer.close();
        node.close();
    }

    @Test
    void poolsTableCountsTheJavaPool() {
        assertThat(cli.out("pools", "--worker-ttl", "1h")).isEqualTo("""
                POOL  NODES  WORKERS  JOBS  DISPATCHING  BACKLOG  STATE
                shop  2/2    2/2      4     0            0        running
                """);
    }

    @Test
    void poolTableShowsNodesWorkersTheirJobsAndTheTicker() {
        List<String> nodes = new ArrayList<>(new TreeSet<>(List.of(node.id(), producer.id())));
        List<Worker> workers = List.of(first, second);
        StringBuilder expected = new StringBuilder("""
                Pool shop: 2 of 2 nodes alive, 2 of 2 workers alive, 4 jobs, 0 dispatches in flight (worker TTL 1h00m)

                NODE                        LAST-SEEN  STATE  STREAM
                """);
        nodes.forEach(id -> expected.append(id).append("  30m        alive  yes\n"));
        expected.append("\nWORKER                      NODE                        AGE  LAST-SEEN  STATE  JOBS\n");
        for (Worker w : workers) {
            expected.append(w.id()).append("  ").append(node.id()).append("  30m  30m        alive  ")
                    .append(w.jobKeys().size()).append('\n');
        }
        expected.append("\nJOB      WORKER                      PAYLOAD\n");
        for (int i = 1; i <= 4; i++) {
            String key = "order-" + i;
            Worker owner = first.jobKeys().contains(key) ? first : second;
            expected.append(key).append("  ").append(owner.id()).append("  ").append(i * 10).append(" B\n");
        }
        expected.append("""

                No dispatches in flight.

                Pool stream shop:pool: 4 events, 0 undelivered, 0 unacknowledged

                TICKER  NEXT    INTERVAL  SCHEDULE
                hourly  in 29m  1h0m0s    no
                """);
        assertThat(cli.out("pool", "shop", "--worker-ttl", "1h")).isEqualTo(expected.toString());
    }

    @Test
    void javaNodesAreJudgedByTheTtlTheyPublishedNotByTheToolsDefault() {
        // silent for 30 minutes, far beyond the tool's default of 30 s, but within the hour they published
        assertThat(cli.out("pools")).isEqualTo("""
                POOL  NODES  WORKERS  JOBS  DISPATCHING  BACKLOG  STATE
                shop  2/2    2/2      4     0            0        running
                """);
    }

    @Test
    void poolJsonHoldsTheTimestampsRedisHolds() throws Exception {
        String nodeKeepAlive = REDIS.cli().hget("map:shop:node-keepalive:content", node.id());
        String producerKeepAlive = REDIS.cli().hget("map:shop:node-keepalive:content", producer.id());
        var json = JSON.readTree(cli.out("pool", "shop", "--json", "--worker-ttl", "1h"));
        for (var n : json.get("nodes")) {
            String ns = n.get("id").asText().equals(node.id()) ? nodeKeepAlive : producerKeepAlive;
            Instant at = instantOfNanos(ns);
            assertThat(n.get("keepAlive").asText()).isEqualTo(at.toString());
            assertThat(n.get("keepAliveAge").asLong()).isEqualTo(Duration.between(at, clockTime).toMillis());
        }
        for (var w : json.get("workers")) {
            Worker worker = w.get("id").asText().equals(first.id()) ? first : second;
            assertThat(w.get("createdAt").asText()).isEqualTo(worker.createdAt().toString());
            assertThat(w.get("node").asText()).isEqualTo(node.id());
            assertThat(JSON.convertValue(w.get("jobs"), List.class)).isEqualTo(worker.jobKeys());
            Instant keepAlive = instantOfNanos(REDIS.cli().hget("map:shop:worker-keepalive:content", worker.id()));
            assertThat(w.get("keepAliveAge").asLong()).isEqualTo(Duration.between(keepAlive, clockTime).toMillis());
        }
        assertThat(json.get("backlog")).isEqualTo(JSON.readTree("""
                {"stream": "shop:pool", "length": 4, "undelivered": 0, "undeliveredAtLeast": false, "unacknowledged": 0,
                 "oldestUnacknowledgedAge": null, "oldestPending": []}"""));
        assertThat(json.get("pendingDispatches")).isEmpty();
        assertThat(JSON.readTree(cli.out("pools", "--json", "--worker-ttl", "1h"))).isEqualTo(JSON.readTree("""
                [{"name": "shop", "nodesAlive": 2, "nodes": 2, "workersAlive": 2, "workers": 2, "jobs": 4,
                  "pendingDispatches": 0, "backlog": 0, "shuttingDown": false}]"""));
    }

    @Test
    void streamTableShowsTheSinksLagUnackedEventAndConsumer() {
        assertThat(cli.out("streams")).isEqualTo("""
                STREAM   LENGTH  SINKS  MAX-LAG  LAST-EVENT
                signups  3       1      1        30m
                Readers keep their position in their own process: Redis cannot show them.
                """);
        assertThat(cli.out("stream", "signups")).isEqualTo("Stream signups: 3 events, first " + eventIds.get(0)
                + " (30m ago), last " + eventIds.get(2) + " (30m ago)\n" + """
                Readers keep their position in their own process: Redis cannot show them.

                SINK   LAG  UNACKED  OLDEST-UNACKED  CONSUMERS  LAST-DELIVERED
                """ + "audit  1    1        30m             1          " + eventIds.get(1) + "\n\n"
                + "SINK   CONSUMER                    UNACKED  LAST-SEEN\n"
                + "audit  " + audit.consumer() + "  1        30m\n");
    }

    @Test
    void streamJsonIsExact() throws Exception {
        Instant keepAlive = instantOfNanos(REDIS.cli().hget("map:sink:audit:keepalive:content", audit.consumer()));
        String expected = "{\"name\": \"signups\", \"length\": 3, \"firstId\": \"" + eventIds.get(0) + "\", \"firstAge\": "
                + age(eventIds.get(0)) + ", \"lastId\": \"" + eventIds.get(2) + "\", \"lastAge\": " + age(eventIds.get(2))
                + ", \"sinks\": [{\"name\": \"audit\", \"lag\": 1, \"lagAtLeast\": false, \"unacknowledged\": 1,"
                + " \"lastDeliveredId\": \"" + eventIds.get(1) + "\", \"oldestUnacknowledgedAge\": " + age(eventIds.get(1))
                + ", \"consumers\": [{\"name\": \"" + audit.consumer() + "\", \"unacknowledged\": 1, \"keepAlive\": \""
                + keepAlive + "\", \"keepAliveAge\": " + Duration.between(keepAlive, clockTime).toMillis() + "}]}]}";
        assertThat(JSON.readTree(cli.out("stream", "signups", "--json"))).isEqualTo(JSON.readTree(expected));
    }

    @Test
    void mapsTableAndJsonShowJavaMaps() throws Exception {
        assertThat(cli.out("maps")).isEqualTo("""
                MAP       SIZE  REVISION  LAST-CHANGE  TTL
                counters  1     1         set          -
                flags     1     3         del          -
                """);
        assertThat(cli.out("map", "flags")).isEqualTo("""
                Map flags: 1 key, revision 3, last change del, no TTL

                KEY        VALUE
                dark-mode  on
                """);
        assertThat(JSON.readTree(cli.out("maps", "--json"))).isEqualTo(JSON.readTree("""
                [{"name": "counters", "size": 1, "revision": 1, "lastKind": "set", "ttl": null},
                 {"name": "flags", "size": 1, "revision": 3, "lastKind": "del", "ttl": null}]"""));
    }

    private static long age(String id) {
        return Duration.between(Instant.ofEpochMilli(Long.parseLong(id.substring(0, id.indexOf('-')))), clockTime).toMillis();
    }

    private static Instant instantOfNanos(String ns) {
        long n = Long.parseLong(ns);
        return Instant.ofEpochSecond(n / 1_000_000_000L, n % 1_000_000_000L);
    }
}
