package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.pulse.testing.RedisServerExtension;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tools need, beyond the commands Pulse nodes use, only SCAN, HSCAN and HSTRLEN; they never send
 * KEYS or a blocking command; and one discovery pass sends at most its budget of bounded SCAN pages.
 * Checked with a real ACL user and Redis's own command statistics.
 */
class LeastPrivilegeAndBoundsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** What Pulse nodes send, their scripts included (Redis checks a script's calls against the ACL). */
    static final String PULSE_OWN = "+ping +client +hello +evalsha +eval +hget +hgetall +hexists +hset +hdel +hincrby +hlen "
            + "+publish +subscribe +unsubscribe +pttl +pexpire +del +exists +get +set +incrby +xadd +xread "
            + "+xreadgroup +xack +xdel +xtrim +xrange +xrevrange +xlen +xpending +xautoclaim +xinfo +xgroup";
    /** The operator's ACL README suggests. */
    static final String README_OPS_ACL = "+@read +scan +hscan +hstrlen +evalsha +eval +xadd +xack +hset +hdel +hincrby "
            + "+publish +del +subscribe";
    /** What the operator tools add. */
    static final String ADMIN_EXTRA = "+scan +hscan +hstrlen";

    @BeforeAll
    static void state() {
        try (GoPlayedState go = new GoPlayedState(REDIS.uri())) {
            go.write();
        }
        Map<String, String> unrelated = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            unrelated.put("unrelated:" + i, "x");
        }
        REDIS.cli().mset(unrelated);
        acl("pulse-admin", PULSE_OWN + " " + ADMIN_EXTRA);
        acl("pulse-node-only", PULSE_OWN);
        acl("pulse-ops", README_OPS_ACL);
        // a second dead node and its stream, for the second user's delete
        REDIS.cli().hset("map:goshop:node-keepalive:content", "N3", GoPlayedState.ns(GoPlayedState.ago(600)));
        REDIS.cli().xadd("pulse:stream:goshop:node:N3", Map.of("n", "i", "p", "N3"));
    }

    /** ACL SETUSER: a user with password "secret", every key and channel, and only these commands. */
    private static void acl(String user, String commands) {
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user)
                .add("reset").add("on").add(">secret").add("~*").add("&*").add("-@all");
        for (String c : commands.split(" ")) {
            args.add(c);
        }
        assertThat(REDIS.cli().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args)).isEqualTo("OK");
    }

    private static String uriFor(String user) {
        assertThat(REDIS.uri()).startsWith("redis://");
        return "redis://" + user + ":secret@" + REDIS.uri().substring("redis://".length());
    }

    @Test
    void everyCommandAndActionWorksForAUserWithPulsesCommandsPlusScanHscanAndHstrlen() {
        Cli cli = new Cli(uriFor("pulse-admin"), Clock.fixed(GoPlayedState.T, ZoneOffset.UTC));
        for (String[] args : new String[][] {{"pools"}, {"pool", "goshop"}, {"streams"}, {"stream", "orders"}, {"maps"},
                {"map", "flags"}, {"job", "goshop", "c"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
        }
        assertThat(cli.run("stop-job", "goshop", "a", "--yes").code()).isZero();
        assertThat(cli.run("map-set", "flags", "beta", "off", "--yes").code()).isZero();
        assertThat(cli.run("map-delete", "flags", "beta", "--yes").code()).isZero();
        assertThat(cli.run("delete-node", "goshop", "N2", "--yes").code()).isZero();
        Cli.Result requeue = cli.run("requeue", "goshop", GoPlayedState.id(90), "--min-idle", "0s", "--yes");
        assertThat(requeue.code()).as(requeue.err()).isZero();
    }

    @Test
    void theOperatorAclSuggestedInTheReadmeRunsEveryCommandAndAction() {
        Cli cli = new Cli(uriFor("pulse-ops"), Clock.fixed(GoPlayedState.T, ZoneOffset.UTC));
        for (String[] args : new String[][] {{"pools"}, {"pool", "goshop"}, {"streams"}, {"stream", "orders"}, {"maps"},
                {"map", "flags"}, {"job", "goshop", "c"}, {"stop-job", "goshop", "c", "--yes"},
                {"map-set", "flags", "gamma", "on", "--yes"}, {"map-delete", "flags", "gamma", "--yes"},
                {"delete-node", "goshop", "N3", "--yes"},
                {"requeue", "goshop", GoPlayedState.id(120), "--min-idle", "0s", "--yes"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
        }
    }

    @Test
    void withoutScanTheListingFailsWithRedisSayingWhichCommandIsMissing() {
        Cli.Result r = new Cli(uriFor("pulse-node-only"), Clock.systemUTC()).run("pools");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: SCAN map:*:content: NOPERM").contains("'scan'");
    }

    @Test
    void noKeysNoBlockingCommandAndAtMostTheBudgetOfScanPages() {
        REDIS.cli().configResetstat();
        PulseAdmin admin = PulseAdmin.builder(REDIS.newPulseRedis()).scanCount(100).maxScanPages(3)
                .clock(Clock.fixed(GoPlayedState.T, ZoneOffset.UTC)).build();
        Catalog partial = admin.catalog();
        Map<String, Long> calls = commandCalls();
        assertThat(partial.complete()).as("3,000 keys do not fit in 3 pages of 100").isFalse();
        assertThat(calls.get("scan")).as("3 pages per pattern, maps then streams").isEqualTo(6);

        PulseAdmin full = PulseAdmin.builder(REDIS.newPulseRedis()).clock(Clock.fixed(GoPlayedState.T, ZoneOffset.UTC)).build();
        assertThat(full.catalog().complete()).isTrue();
        full.pools();
        full.pool("goshop");
        full.streams();
        full.stream("orders");
        full.maps();
        full.map("flags", 100);
        full.job("goshop", "c");
        Map<String, Long> all = commandCalls();
        assertThat(all).doesNotContainKeys("keys", "xread", "xreadgroup", "blpop", "brpop", "blmove", "bzpopmin",
                "bzpopmax", "wait", "hkeys", "hvals", "smembers", "lrange", "flushdb", "flushall");
        assertThat(all.keySet()).allMatch(c -> c.startsWith("config") || c.startsWith("info") || c.startsWith("hello")
                || c.startsWith("client") || c.startsWith("auth") || c.startsWith("ping") || c.startsWith("xinfo")
                || java.util.Set.of("scan", "hscan", "hgetall", "hget", "hlen", "hstrlen", "hexists", "pttl", "exists",
                        "xrange", "xrevrange", "xpending").contains(c), "only read commands");
    }

    /** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats. */
    private static Map<String, Long> commandCalls() {
        Map<String, Long> out = new HashMap<>();
        for (String line : REDIS.cli().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String calls = line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
                out.put(name, Long.parseLong(calls));
            }
        }
        return out;
    }
}
