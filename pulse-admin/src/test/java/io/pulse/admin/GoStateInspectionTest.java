package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The command line and the inspection API over state written exactly as Go Pulse v1.6.5 nodes write it
 * ({@link GoPlayedState}), with exact tables and JSON. A real Go node is not built here: the Go module
 * proxy refuses Go Pulse, so the test plays the Go node with raw Lettuce, as the other modules' wire
 * tests do.
 */
class GoStateInspectionTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    static Cli cli;
    static PulseAdmin admin;

    @BeforeAll
    static void writeGoState() {
        try (GoPlayedState go = new GoPlayedState(REDIS.uri())) {
            go.write();
        }
        Clock clock = Clock.fixed(GoPlayedState.T, ZoneOffset.UTC);
        cli = new Cli(REDIS.uri(), clock);
        PulseRedis redis = REDIS.newPulseRedis();
        admin = PulseAdmin.builder(redis).clock(clock).build();
    }

    @Test
    void catalogSeparatesUserStreamsAndMapsFromThePoolsAndSinksOwnKeys() {
        Catalog catalog = admin.catalog();
        assertThat(catalog.pools()).containsExactly("goshop");
        assertThat(catalog.streams()).containsExactly("orders");
        assertThat(catalog.maps()).containsExactly("config", "flags", "goshop:hourly");
        assertThat(catalog.complete()).isTrue();
    }

    @Test
    void poolsTableCountsLiveNodesWorkersJobsGuardsAndBacklog() {
        assertThat(cli.out("pools")).isEqualTo("""
                POOL    NODES  WORKERS  JOBS  DISPATCHING  BACKLOG  STATE
                goshop  1/2    1/3      4     2            4        running
                """);
    }

    @Test
    void poolTableShowsEveryNodeWorkerJobGuardPendingEventAndTicker() {
        assertThat(cli.out("pool", "goshop")).isEqualTo("""
                Pool goshop: 1 of 2 nodes alive, 1 of 3 workers alive, 4 jobs, 2 dispatches in flight (worker TTL 30s)

                NODE  LAST-SEEN  STATE  STREAM
                N1    5s         alive  yes
                N2    2m00s      dead   yes

                WORKER  NODE  AGE    LAST-SEEN  STATE     JOBS
                W1      N1    10m    3s         alive     2
                W2      N2    9m00s  1m35s      dead      1
                W3      -     -      1s         removing  0

                JOB  WORKER     PAYLOAD
                a    W1         2 B
                b    W1         0 B
                c    W2         3 B
                z    (unowned)  2 B

                DISPATCH  DEADLINE  STATE
                d         in 30s    in flight
                e         10s ago   expired

                Pool stream goshop:pool: 5 events, 2 undelivered, 2 unacknowledged (oldest 2m00s)
                EVENT            KIND  JOB  CONSUMER  DELIVERIES  AGE
                1767322925000-0  j     c    C1        1           2m00s
                1767322955000-0  s     b    C1        1           1m30s

                TICKER  NEXT    INTERVAL  SCHEDULE
                beat    in 7s   10s       no
                hourly  in 25m  1h0m0s    yes
                """);
    }

    @Test
    void poolJsonHasEveryFieldWithInstantsAsTextAndDurationsInMilliseconds() throws Exception {
        String expected = """
                {"name": "goshop", "shuttingDown": false, "jobCount": 4,
                 "nodes": [
                   {"id": "N1", "keepAlive": "2026-01-02T03:04:00Z", "keepAliveAge": 5000, "alive": true, "streamExists": true},
                   {"id": "N2", "keepAlive": "2026-01-02T03:02:05Z", "keepAliveAge": 120000, "alive": false, "streamExists": true}],
                 "workers": [
                   {"id": "W1", "node": "N1", "createdAt": "2026-01-02T02:54:05Z", "state": "alive",
                    "keepAlive": "2026-01-02T03:04:02Z", "keepAliveAge": 3000, "jobs": ["a", "b"]},
                   {"id": "W2", "node": "N2", "createdAt": "2026-01-02T02:55:05Z", "state": "dead",
                    "keepAlive": "2026-01-02T03:02:30Z", "keepAliveAge": 95000, "jobs": ["c"]},
                   {"id": "W3", "node": null, "createdAt": null, "state": "removing",
                    "keepAlive": "2026-01-02T03:04:04Z", "keepAliveAge": 1000, "jobs": []}],
                 "jobs": [
                   {"key": "a", "worker": "W1", "payloadBytes": 2},
                   {"key": "b", "worker": "W1", "payloadBytes": 0},
                   {"key": "c", "worker": "W2", "payloadBytes": 3},
                   {"key": "z", "worker": null, "payloadBytes": 2}],
                 "pendingDispatches": [
                   {"key": "d", "deadline": "2026-01-02T03:04:35Z", "expired": false},
                   {"key": "e", "deadline": "2026-01-02T03:03:55Z", "expired": true}],
                 "backlog": {"stream": "goshop:pool", "length": 5, "undelivered": 2, "undeliveredAtLeast": false, "unacknowledged": 2,
                   "oldestUnacknowledgedAge": 120000,
                   "oldestPending": [
                     {"id": "1767322925000-0", "kind": "j", "key": "c", "consumer": "C1", "deliveries": 1, "age": 120000},
                     {"id": "1767322955000-0", "kind": "s", "key": "b", "consumer": "C1", "deliveries": 1, "age": 90000}]},
                 "tickers": [
                   {"name": "beat", "next": "2026-01-02T03:04:12Z", "interval": "10s", "schedule": false},
                   {"name": "hourly", "next": "2026-01-02T03:29:05Z", "interval": "1h0m0s", "schedule": true}]}
                """;
        assertThat(JSON.readTree(cli.out("pool", "goshop", "--json"))).isEqualTo(JSON.readTree(expected));
    }

    @Test
    void streamTablesShowLagUnacknowledgedEventsAndConsumerKeepAlives() {
        assertThat(cli.out("streams")).isEqualTo("""
                STREAM  LENGTH  SINKS  MAX-LAG  LAST-EVENT
                orders  4       2      2        10s
                Readers keep their position in their own process: Redis cannot show them.
                """);
        assertThat(cli.out("stream", "orders")).isEqualTo("""
                Stream orders: 4 events, first 1767322925000-0 (2m00s ago), last 1767323035000-0 (10s ago)
                Readers keep their position in their own process: Redis cannot show them.

                SINK     LAG  UNACKED  OLDEST-UNACKED  CONSUMERS  LAST-DELIVERED
                audit    0    0        -               0          1767323035000-0
                billing  2    1        1m00s           2          1767322985000-0

                SINK     CONSUMER  UNACKED  LAST-SEEN
                billing  K1        1        6s
                billing  K2        0        none
                """);
    }

    @Test
    void streamJsonIsExact() throws Exception {
        String expected = """
                {"name": "orders", "length": 4, "firstId": "1767322925000-0", "firstAge": 120000,
                 "lastId": "1767323035000-0", "lastAge": 10000,
                 "sinks": [
                   {"name": "audit", "lag": 0, "lagAtLeast": false, "unacknowledged": 0,
                    "lastDeliveredId": "1767323035000-0", "oldestUnacknowledgedAge": null, "consumers": []},
                   {"name": "billing", "lag": 2, "lagAtLeast": false, "unacknowledged": 1,
                    "lastDeliveredId": "1767322985000-0", "oldestUnacknowledgedAge": 60000, "consumers": [
                      {"name": "K1", "unacknowledged": 1, "keepAlive": "2026-01-02T03:03:59Z", "keepAliveAge": 6000},
                      {"name": "K2", "unacknowledged": 0, "keepAlive": null, "keepAliveAge": null}]}]}
                """;
        assertThat(JSON.readTree(cli.out("stream", "orders", "--json"))).isEqualTo(JSON.readTree(expected));
        assertThat(JSON.readTree(cli.out("streams", "--json"))).isEqualTo(JSON.readTree("""
                [{"name": "orders", "length": 4, "sinks": 2, "maxLag": 2, "maxLagAtLeast": false, "lastAge": 10000}]"""));
    }

    @Test
    void mapTablesAndJsonShowSizeRevisionLastKindAndKeys() throws Exception {
        assertThat(cli.out("maps")).isEqualTo("""
                MAP            SIZE  REVISION  LAST-CHANGE  TTL
                config         0     3         reset        -
                flags          2     12        del          -
                goshop:hourly  1     1         set          -
                """);
        assertThat(cli.out("map", "flags")).isEqualTo("""
                Map flags: 2 keys, revision 12, last change del, no TTL

                KEY    VALUE
                beta   on
                limit  10
                """);
        assertThat(JSON.readTree(cli.out("map", "flags", "--json"))).isEqualTo(JSON.readTree("""
                {"name": "flags", "size": 2, "revision": 12, "lastKind": "del", "ttl": null, "complete": true,
                 "entries": [{"key": "beta", "value": "on"}, {"key": "limit", "value": "10"}]}"""));
    }

    @Test
    void jobReportFollowsOneKeyThroughPayloadOwnersGuardAndPoolEvents() {
        assertThat(cli.out("job", "goshop", "c")).isEqualTo("""
                Job c of pool goshop: payload 3 B, owned by W2, no dispatch in flight

                EVENT            KIND  AGE    STATE           CONSUMER
                1767322925000-0  j     2m00s  unacknowledged  C1
                """);
        assertThat(cli.out("job", "goshop", "d")).isEqualTo("""
                Job d of pool goshop: no payload (not running), no owner, a dispatch in flight

                EVENT            KIND  AGE  STATE        CONSUMER
                1767323015000-0  j     30s  undelivered  -
                """);
        JobReport a = admin.job("goshop", "a").orElseThrow();
        assertThat(a.owners()).containsExactly("W1");
        assertThat(a.events()).extracting(JobReport.Event::kind, JobReport.Event::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("n", "undelivered"),
                        org.assertj.core.groups.Tuple.tuple("j", "done"));
    }

    @Test
    void unknownNamesExitWithOneAndSaySoOnStandardError() {
        Cli.Result pool = cli.run("pool", "nope");
        assertThat(pool.code()).isEqualTo(1);
        assertThat(pool.out()).isEmpty();
        assertThat(pool.err()).isEqualTo("error: no pool \"nope\"\n");
        assertThat(cli.run("stream", "nope").err()).isEqualTo("error: no stream \"nope\"\n");
        assertThat(cli.run("map", "nope").err()).isEqualTo("error: no map \"nope\"\n");
        Cli.Result badName = cli.run("pool", "bad name");
        assertThat(badName.code()).isEqualTo(1);
        assertThat(badName.err()).startsWith("error: not a valid pool name \"bad name\"");
    }

    @Test
    void aWorkerWithoutAnInitEventHasNoKnownNode() {
        List<PoolReport.WorkerRow> workers = admin.pool("goshop").orElseThrow().workers();
        assertThat(workers).extracting(PoolReport.WorkerRow::node).containsExactly("N1", "N2", null);
    }
}
